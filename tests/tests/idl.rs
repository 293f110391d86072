//! The generated IDL (scripts/idl.sh → target/idl/node_registry.json) describes the program:
//! every instruction, account, event and error.
use node_registry::RegistryError;
use serde_json::Value;

fn idl() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/idl/node_registry.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("{path}: {e}; generate it with scripts/idl.sh (the test script does)")
    });
    serde_json::from_str(&text).expect("IDL is JSON")
}

fn names(v: &Value, key: &str) -> Vec<String> {
    let mut n: Vec<String> = v[key]
        .as_array()
        .unwrap_or_else(|| panic!("IDL has no {key}"))
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[test]
fn idl_lists_every_instruction() {
    let idl = idl();
    assert_eq!(idl["address"], node_registry::ID.to_string());
    let mut expected = depin_tests::NODE_REGISTRY_INSTRUCTIONS.to_vec();
    expected.sort();
    assert_eq!(names(&idl, "instructions"), expected);
    assert_eq!(names(&idl, "accounts"), vec!["Maker", "Network", "Node"]);
    assert_eq!(names(&idl, "events").len(), 12);
}

#[test]
fn idl_lists_every_error() {
    let idl = idl();
    let errors = idl["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), RegistryError::ALL.len());
    for (e, ours) in errors.iter().zip(RegistryError::ALL) {
        assert_eq!(e["name"].as_str().unwrap(), ours.name());
        assert_eq!(e["code"].as_u64().unwrap(), u64::from(u32::from(*ours)));
    }
}

#[test]
fn register_node_takes_the_instructions_sysvar() {
    let idl = idl();
    let register = idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "register_node")
        .unwrap();
    let accounts: Vec<&str> = register["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        accounts,
        [
            "owner",
            "network",
            "maker",
            "node",
            "credits_mint",
            "owner_credits",
            "instructions",
            "token_program",
            "system_program"
        ]
    );
}
