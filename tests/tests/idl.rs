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
    assert_eq!(
        names(&idl, "accounts"),
        vec![
            "AttestationKey",
            "Device",
            "Maker",
            "Network",
            "Node",
            "TransferOffer"
        ]
    );
    assert_eq!(names(&idl, "events").len(), 18);
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
fn register_compressed_node_names_its_tree_and_the_event_cpi_accounts() {
    let idl = idl();
    let ix = idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "register_compressed_node")
        .unwrap();
    let accounts: Vec<&str> = ix["accounts"]
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
            "tree",
            "credits_mint",
            "owner_credits",
            "instructions",
            "token_program",
            "event_authority",
            "program"
        ]
    );
    let args: Vec<&str> = idl["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "RegisterCompressedNodeArgs")
        .unwrap()["type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "nonce",
            "capacity",
            "max_fee_credits",
            "root",
            "low_index",
            "low_leaf",
            "proof"
        ]
    );
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
            "device",
            "node",
            "credits_mint",
            "owner_credits",
            "instructions",
            "token_program",
            "system_program"
        ]
    );
}

/// Error numbers quoted in the docs (`Name (6xxx)`) are the IDL's.
#[test]
fn error_codes_quoted_in_the_docs_are_the_idls() {
    let idl = idl();
    let codes: std::collections::BTreeMap<String, u64> = idl["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["code"].as_u64().unwrap(),
            )
        })
        .collect();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut checked = 0;
    for doc in [
        "README.md",
        "programs/node_registry/README.md",
        "docs/architecture.md",
        "docs/operator-guide.md",
        "docs/devnet.md",
    ] {
        let Ok(text) = std::fs::read_to_string(format!("{root}/{doc}")) else {
            continue;
        };
        // every `Word (6NNN)` in the text
        let bytes = text.as_bytes();
        for (at, _) in text.match_indices(" (6") {
            let name_start = text[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let name = &text[name_start..at];
            let digits: String = text[at + 2..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if name.is_empty() || digits.len() != 4 || bytes.get(at + 2 + 4) != Some(&b')') {
                continue;
            }
            let code: u64 = digits.parse().unwrap();
            assert_eq!(
                codes.get(name),
                Some(&code),
                "{doc} quotes {name} ({code}); the IDL says {:?}",
                codes.get(name)
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the README quotes at least one error code");
}

/// The account sizes in docs/architecture.md are the programs' own.
#[test]
fn documented_account_sizes_are_real() {
    use anchor_lang::Space;
    use node_registry::state::*;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/architecture.md"
    ))
    .unwrap();
    let sizes = [
        ("Network", 8 + Network::INIT_SPACE),
        ("Maker", 8 + Maker::INIT_SPACE),
        ("Node", Node::SPACE),
        ("Device", Device::SPACE),
        ("AttestationKey", AttestationKey::SPACE),
        ("TransferOffer", TransferOffer::SPACE),
        ("OracleSet", proof_verifier::OracleSet::SPACE),
        ("EpochReport", proof_verifier::EpochReport::SPACE),
        ("EpochChallenges", proof_verifier::EpochChallenges::SPACE),
        (
            "StorageCommitment",
            proof_verifier::StorageCommitment::SPACE,
        ),
        ("EmissionSchedule", emissions::EmissionSchedule::SPACE),
        ("ClaimRecord", emissions::ClaimRecord::SPACE),
        ("Settlement", fee_settlement::Settlement::SPACE),
        ("OraclePrices", fee_settlement::OraclePrices::SPACE),
        ("EpochUsage", fee_settlement::EpochUsage::SPACE),
    ];
    for (name, size) in sizes {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("docs/architecture.md has no row for {name}"));
        let documented: usize = row
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(documented, size, "{name}");
    }
}

#[test]
fn proof_verifier_idl_lists_everything() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/idl/proof_verifier.json"
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}; generate it with scripts/idl.sh"));
    let idl: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(idl["address"], proof_verifier::ID.to_string());
    let mut expected = depin_tests::PROOF_VERIFIER_INSTRUCTIONS.to_vec();
    expected.sort();
    assert_eq!(names(&idl, "instructions"), expected);
    assert_eq!(
        names(&idl, "accounts"),
        vec![
            "EpochChallenges",
            "EpochReport",
            "OracleSet",
            "StorageCommitment"
        ]
    );
    assert_eq!(names(&idl, "events").len(), 10);
    let errors = idl["errors"].as_array().unwrap();
    assert_eq!(errors.len(), proof_verifier::ProofError::ALL.len());
    for (e, ours) in errors.iter().zip(proof_verifier::ProofError::ALL) {
        assert_eq!(e["name"].as_str().unwrap(), ours.name());
        assert_eq!(e["code"].as_u64().unwrap(), u64::from(u32::from(*ours)));
    }
}

#[test]
fn emissions_idl_lists_everything() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/idl/emissions.json");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}; generate it with scripts/idl.sh"));
    let idl: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(idl["address"], emissions::ID.to_string());
    let mut expected = depin_tests::EMISSIONS_INSTRUCTIONS.to_vec();
    expected.sort();
    assert_eq!(names(&idl, "instructions"), expected);
    assert_eq!(
        names(&idl, "accounts"),
        vec!["ClaimRecord", "CompressedClaim", "EmissionSchedule"]
    );
    assert_eq!(names(&idl, "events").len(), 5);
    let errors = idl["errors"].as_array().unwrap();
    assert_eq!(errors.len(), emissions::EmissionsError::ALL.len());
    for (e, ours) in errors.iter().zip(emissions::EmissionsError::ALL) {
        assert_eq!(e["name"].as_str().unwrap(), ours.name());
        assert_eq!(e["code"].as_u64().unwrap(), u64::from(u32::from(*ours)));
    }
}

#[test]
fn fee_settlement_idl_lists_everything() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/idl/fee_settlement.json"
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}; generate it with scripts/idl.sh"));
    let idl: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(idl["address"], fee_settlement::ID.to_string());
    let mut expected = depin_tests::FEE_SETTLEMENT_INSTRUCTIONS.to_vec();
    expected.sort();
    assert_eq!(names(&idl, "instructions"), expected);
    assert_eq!(
        names(&idl, "accounts"),
        vec!["EpochUsage", "OraclePrices", "Settlement"]
    );
    assert_eq!(names(&idl, "events").len(), 8);
    let errors = idl["errors"].as_array().unwrap();
    assert_eq!(errors.len(), fee_settlement::SettlementError::ALL.len());
    for (e, ours) in errors.iter().zip(fee_settlement::SettlementError::ALL) {
        assert_eq!(e["name"].as_str().unwrap(), ours.name());
        assert_eq!(e["code"].as_u64().unwrap(), u64::from(u32::from(*ours)));
    }
    // optional price accounts, as Anchor's TypeScript client expects them
    let mint = idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "mint_credits")
        .unwrap();
    let optional: Vec<&str> = mint["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["optional"] == true)
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(optional, vec!["pyth_price", "oracle_prices", "oracle_set"]);
}
