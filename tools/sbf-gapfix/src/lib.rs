//! Stack arguments vs. the gaps between SBPF V0 stack frames.
//!
//! sbpf-linker passes arguments beyond the fifth on the stack: the caller stores them at
//! `r10 + off` (above its own frame) and the callee's loads are rewritten to
//! `r10 + off - FRAME`, which assumes frames are contiguous. Clusters run V0 programs with
//! `enable_stack_frame_gaps`: a 4 KiB unmapped gap follows every frame, so the caller's store
//! faults (`Access violation in stack frame`). With gaps the callee's frame starts `FRAME`
//! bytes further, so shifting every positive-offset store through r10 by `FRAME` puts the
//! value exactly where the callee's rewritten load reads it.
//!
//! [`fix_stack_arguments`] does that on a linked ELF and refuses what it cannot place:
//! positive-offset loads through r10 (nothing should read above its own frame) and stores
//! whose shifted offset does not fit the 16-bit field.

/// SBPF V0 stack frame size.
pub const FRAME_SIZE: i16 = 4096;
const EM_BPF: u16 = 247;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GapfixError {
    #[error("not a 64-bit little-endian ELF")]
    NotElf64,
    #[error("ELF machine is {0}, not BPF (247)")]
    NotBpf(u16),
    #[error("malformed ELF: {0}")]
    Malformed(&'static str),
    #[error("no .text section")]
    NoText,
    #[error("load through r10 with positive offset {off} at .text+{at:#x}: cannot place")]
    PositiveLoad { at: usize, off: i16 },
    #[error("store through r10 at .text+{at:#x}: offset {off} + {FRAME_SIZE} overflows")]
    OffsetOverflow { at: usize, off: i16 },
}

/// What the pass found and changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Positive-offset stores through r10 moved into the next frame.
    pub stores_shifted: usize,
    /// Deepest r10-relative access below the frame pointer (bytes): a lower bound of the
    /// largest stack frame in the program.
    pub deepest_frame_access: u32,
    pub instructions: usize,
    /// ELF `e_flags`: the SBPF version (0 = V0, 3 = V3).
    pub e_flags: u32,
}

fn u16_at(d: &[u8], at: usize) -> Result<u16, GapfixError> {
    d.get(at..at + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or(GapfixError::Malformed("header out of range"))
}
fn u32_at(d: &[u8], at: usize) -> Result<u32, GapfixError> {
    d.get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(GapfixError::Malformed("header out of range"))
}
fn u64_at(d: &[u8], at: usize) -> Result<u64, GapfixError> {
    d.get(at..at + 8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
        .ok_or(GapfixError::Malformed("header out of range"))
}

/// File range of the `.text` section.
pub fn text_range(elf: &[u8]) -> Result<std::ops::Range<usize>, GapfixError> {
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" || elf[4] != 2 || elf[5] != 1 {
        return Err(GapfixError::NotElf64);
    }
    let machine = u16_at(elf, 0x12)?;
    if machine != EM_BPF {
        return Err(GapfixError::NotBpf(machine));
    }
    let shoff = u64_at(elf, 0x28)? as usize;
    let shentsize = usize::from(u16_at(elf, 0x3A)?);
    let shnum = usize::from(u16_at(elf, 0x3C)?);
    let shstrndx = usize::from(u16_at(elf, 0x3E)?);
    if shentsize < 64 || shstrndx >= shnum {
        return Err(GapfixError::Malformed("section header table"));
    }
    let section = |i: usize| -> Result<(u32, usize, usize), GapfixError> {
        let at = shoff + i * shentsize;
        Ok((
            u32_at(elf, at)?,
            u64_at(elf, at + 0x18)? as usize,
            u64_at(elf, at + 0x20)? as usize,
        ))
    };
    let (_, str_off, str_size) = section(shstrndx)?;
    let strtab = elf
        .get(str_off..str_off + str_size)
        .ok_or(GapfixError::Malformed("section names"))?;
    for i in 0..shnum {
        let (name, off, size) = section(i)?;
        let name = strtab
            .get(name as usize..)
            .and_then(|s| s.split(|b| *b == 0).next())
            .ok_or(GapfixError::Malformed("section name"))?;
        if name == b".text" {
            if off.checked_add(size).is_none_or(|end| end > elf.len()) || size % 8 != 0 {
                return Err(GapfixError::Malformed(".text bounds"));
            }
            return Ok(off..off + size);
        }
    }
    Err(GapfixError::NoText)
}

const STORES: [u8; 8] = [0x7b, 0x73, 0x6b, 0x63, 0x7a, 0x72, 0x6a, 0x62];
const LOADS: [u8; 4] = [0x79, 0x71, 0x69, 0x61];
const LDDW: u8 = 0x18;

/// Shifts outgoing stack-argument stores in `.text` by [`FRAME_SIZE`], in place. On error
/// nothing is changed.
pub fn fix_stack_arguments(elf: &mut [u8]) -> Result<Report, GapfixError> {
    let text = text_range(elf)?;
    let mut patches = vec![];
    let mut report = Report {
        e_flags: u32_at(elf, 0x30)?,
        ..Report::default()
    };
    let mut i = text.start;
    while i + 8 <= text.end {
        let op = elf[i];
        let dst = elf[i + 1] & 0xf;
        let src = elf[i + 1] >> 4;
        let off = i16::from_le_bytes([elf[i + 2], elf[i + 3]]);
        let at = i - text.start;
        report.instructions += 1;
        if STORES.contains(&op) && dst == 10 {
            if off > 0 {
                let new = off
                    .checked_add(FRAME_SIZE)
                    .ok_or(GapfixError::OffsetOverflow { at, off })?;
                patches.push((i + 2, new));
            } else {
                report.deepest_frame_access =
                    report.deepest_frame_access.max(off.unsigned_abs().into());
            }
        }
        if LOADS.contains(&op) && src == 10 {
            if off > 0 {
                return Err(GapfixError::PositiveLoad { at, off });
            }
            report.deepest_frame_access =
                report.deepest_frame_access.max(off.unsigned_abs().into());
        }
        i += if op == LDDW { 16 } else { 8 };
    }
    for (at, new) in &patches {
        elf[*at..*at + 2].copy_from_slice(&new.to_le_bytes());
    }
    report.stores_shifted = patches.len();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insn(op: u8, dst: u8, src: u8, off: i16, imm: i32) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[0] = op;
        b[1] = (src << 4) | dst;
        b[2..4].copy_from_slice(&off.to_le_bytes());
        b[4..8].copy_from_slice(&imm.to_le_bytes());
        b
    }

    /// A minimal ELF64 with sections [null, .text, .shstrtab].
    fn elf(text: &[[u8; 8]], machine: u16) -> Vec<u8> {
        let code: Vec<u8> = text.iter().flatten().copied().collect();
        let names = b"\0.text\0.shstrtab\0";
        let text_off = 64usize;
        let names_off = text_off + code.len();
        let shoff = names_off + names.len();
        let mut e = vec![0u8; 64];
        e[..4].copy_from_slice(b"\x7fELF");
        e[4] = 2;
        e[5] = 1;
        e[0x12..0x14].copy_from_slice(&machine.to_le_bytes());
        e[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
        e[0x3A..0x3C].copy_from_slice(&64u16.to_le_bytes());
        e[0x3C..0x3E].copy_from_slice(&3u16.to_le_bytes());
        e[0x3E..0x40].copy_from_slice(&2u16.to_le_bytes());
        e.extend_from_slice(&code);
        e.extend_from_slice(names);
        let sh = |name: u32, off: usize, size: usize| {
            let mut s = vec![0u8; 64];
            s[0..4].copy_from_slice(&name.to_le_bytes());
            s[0x18..0x20].copy_from_slice(&(off as u64).to_le_bytes());
            s[0x20..0x28].copy_from_slice(&(size as u64).to_le_bytes());
            s
        };
        e.extend(sh(0, 0, 0));
        e.extend(sh(1, text_off, code.len()));
        e.extend(sh(7, names_off, names.len()));
        e
    }

    fn text_of(e: &[u8]) -> Vec<u8> {
        e[text_range(e).unwrap()].to_vec()
    }

    #[test]
    fn shifts_positive_stores_through_r10_only() {
        let prog = [
            insn(0x7b, 10, 1, 8, 0),     // *(u64*)(r10+8) = r1    -> +4096
            insn(0x63, 10, 2, 16, 0),    // *(u32*)(r10+16) = r2   -> +4096
            insn(0x7a, 10, 0, 24, 7),    // *(u64*)(r10+24) = 7    -> +4096
            insn(0x7b, 10, 1, -8, 0),    // local: unchanged
            insn(0x7b, 1, 10, 8, 0),     // store through r1: unchanged
            insn(0x79, 1, 10, -4088, 0), // callee-side rewritten load: unchanged
            insn(0x95, 0, 0, 0, 0),      // exit
        ];
        let mut e = elf(&prog, EM_BPF);
        let r = fix_stack_arguments(&mut e).unwrap();
        assert_eq!(r.stores_shifted, 3);
        assert_eq!(r.deepest_frame_access, 4088);
        assert_eq!(r.instructions, 7);
        let t = text_of(&e);
        let off = |k: usize| i16::from_le_bytes([t[k * 8 + 2], t[k * 8 + 3]]);
        assert_eq!(
            [off(0), off(1), off(2), off(3), off(4), off(5)],
            [4104, 4112, 4120, -8, 8, -4088]
        );
    }

    #[test]
    fn lddw_second_slot_is_not_an_instruction() {
        // lddw r1, imm64 whose second half looks like `*(u64*)(r10+8) = r1`
        let prog = [
            insn(0x18, 1, 0, 0, 1),
            insn(0x7b, 10, 1, 8, 0),
            insn(0x95, 0, 0, 0, 0),
        ];
        let mut e = elf(&prog, EM_BPF);
        let before = text_of(&e);
        let r = fix_stack_arguments(&mut e).unwrap();
        assert_eq!(r.stores_shifted, 0);
        assert_eq!(text_of(&e), before);
    }

    #[test]
    fn refuses_positive_loads_and_changes_nothing() {
        let prog = [insn(0x7b, 10, 1, 8, 0), insn(0x79, 1, 10, 8, 0)];
        let mut e = elf(&prog, EM_BPF);
        let before = e.clone();
        assert_eq!(
            fix_stack_arguments(&mut e),
            Err(GapfixError::PositiveLoad { at: 8, off: 8 })
        );
        assert_eq!(e, before);
    }

    #[test]
    fn refuses_offsets_that_overflow() {
        let prog = [insn(0x7b, 10, 1, 30_000, 0)];
        let mut e = elf(&prog, EM_BPF);
        assert_eq!(
            fix_stack_arguments(&mut e),
            Err(GapfixError::OffsetOverflow { at: 0, off: 30_000 })
        );
    }

    #[test]
    fn refuses_other_files() {
        let mut e = elf(&[insn(0x95, 0, 0, 0, 0)], 62);
        assert_eq!(fix_stack_arguments(&mut e), Err(GapfixError::NotBpf(62)));
        assert_eq!(
            fix_stack_arguments(&mut b"not an elf at all, clearly".to_vec()),
            Err(GapfixError::NotElf64)
        );
        let mut e = elf(&[insn(0x95, 0, 0, 0, 0)], EM_BPF);
        e.truncate(80);
        assert!(fix_stack_arguments(&mut e).is_err());
    }
}
