//! `sbf-gapfix <in.so> <out.so>`: see the library docs. Exits non-zero (and writes nothing)
//! when a stack-argument access cannot be placed.
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: sbf-gapfix <in.so> <out.so>");
        return ExitCode::from(2);
    };
    let mut elf = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("sbf-gapfix: reading {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match sbf_gapfix::fix_stack_arguments(&mut elf) {
        Ok(r) => {
            if let Err(e) = std::fs::write(output, &elf) {
                eprintln!("sbf-gapfix: writing {output}: {e}");
                return ExitCode::FAILURE;
            }
            println!(
                "{{\"stores_shifted\": {}, \"deepest_frame_access\": {}, \"instructions\": {}, \"e_flags\": {}}}",
                r.stores_shifted, r.deepest_frame_access, r.instructions, r.e_flags
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sbf-gapfix: {input}: {e}");
            ExitCode::FAILURE
        }
    }
}
