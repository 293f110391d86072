//! The `depin` CLI's commands, driven through the same parser and code as the binary,
//! against an embedded network: the wallet sign-only flow and readable errors.
use depin_tests::*;
use serde_json::Value;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::{Path, PathBuf};

fn write_key(dir: &Path, name: &str, k: &Keypair) -> PathBuf {
    let p = dir.join(name);
    depin::config::write_keypair(k, &p).unwrap();
    p
}

/// Runs `depin <args> --output json` and returns the JSON, or the error text.
fn depin(w: &World, args: &[&str]) -> Result<Value, String> {
    run_cli(w, args)
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} missing in {v}"))
        .to_string()
}

#[test]
fn sign_only_round_trip() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let owner = w.owner(5_000);
    let device = w.device();
    let owner_file = write_key(dir.path(), "owner.json", &owner.keypair);
    let device_file = write_key(dir.path(), "device.json", &device);
    let maker_file = write_key(dir.path(), "maker.json", &w.makers[0].attestation);
    let network = w.network.to_string();
    let maker_key = w.makers[0].maker_key.pubkey().to_string();
    let owner_key = owner.pubkey().to_string();

    // 1. built without the owner's key
    let built = depin(
        &w,
        &[
            "node",
            "register",
            "--network",
            &network,
            "--maker-key",
            &maker_key,
            "--maker-keypair",
            maker_file.to_str().unwrap(),
            "--device-keypair",
            device_file.to_str().unwrap(),
            "--class",
            "storage",
            "--capacity",
            "bytes=8e12",
            "--keypair",
            &owner_key,
            "--sign-only",
        ],
    )
    .unwrap();
    assert_eq!(built["missing_signers"], serde_json::json!([owner_key]));
    assert!(built["bytes"].as_u64().unwrap() <= 1232);
    // the wallet is shown the fee and the limit written into the transaction
    assert_eq!(built["onboarding_fee_credits"], ONBOARDING_FEE);
    assert_eq!(built["max_fee_credits"], ONBOARDING_FEE);

    let unsigned = s(&built, "transaction");

    // sending it unsigned is refused before it leaves
    let err = depin(&w, &["tx", "send", &unsigned]).unwrap_err();
    assert!(err.contains("still needs signatures"), "{err}");
    // another wallet cannot sign in the owner's place
    let stranger = write_key(dir.path(), "stranger.json", &Keypair::new());
    let err = depin(
        &w,
        &[
            "--keypair",
            stranger.to_str().unwrap(),
            "tx",
            "sign",
            &unsigned,
        ],
    )
    .unwrap_err();
    assert!(err.contains("is not a signer"), "{err}");

    // 2. signed separately with the owner's keypair file
    let signed = depin(
        &w,
        &[
            "--keypair",
            owner_file.to_str().unwrap(),
            "tx",
            "sign",
            &unsigned,
        ],
    )
    .unwrap();
    assert_eq!(signed["missing_signers"], serde_json::json!([]));
    let inspected = depin(&w, &["tx", "inspect", &s(&signed, "transaction")]).unwrap();
    assert_eq!(inspected["instructions"], 3);

    // 3. submitted
    let sent = depin(&w, &["tx", "send", &s(&signed, "transaction")]).unwrap();
    assert!(!s(&sent, "signature").is_empty());

    // 4. the node exists, owned by the wallet, and the fee was burned
    let shown = depin(
        &w,
        &[
            "node",
            "show",
            "--network",
            &network,
            &device.pubkey().to_string(),
        ],
    )
    .unwrap();
    assert_eq!(s(&shown, "owner"), owner_key);
    assert_eq!(s(&shown, "address"), s(&built, "node"));
    assert_eq!(w.credits_of(&owner), 5_000 - ONBOARDING_FEE);
    let node = w.node_state(&w.node_address(&device.pubkey()));
    assert_eq!(node.owner, owner.pubkey());

    // 5. the authority raises the fee between building and landing: refused by name
    let second = w.device();
    let second_file = write_key(dir.path(), "second.json", &second);
    let built = depin(
        &w,
        &[
            "node",
            "register",
            "--network",
            &network,
            "--maker-key",
            &maker_key,
            "--maker-keypair",
            maker_file.to_str().unwrap(),
            "--device-keypair",
            second_file.to_str().unwrap(),
            "--class",
            "gpu",
            "--capacity",
            "gpus=8,vram=80,tflops=989",
            "--keypair",
            &owner_key,
            "--sign-only",
        ],
    )
    .unwrap();
    w.configure(|a| a.onboarding_fee_credits = Some(ONBOARDING_FEE + 1));
    let signed = depin(
        &w,
        &[
            "--keypair",
            owner_file.to_str().unwrap(),
            "tx",
            "sign",
            &s(&built, "transaction"),
        ],
    )
    .unwrap();
    let err = depin(&w, &["tx", "send", &s(&signed, "transaction")]).unwrap_err();
    assert!(err.contains("FeeAboveMaximum"), "{err}");
    assert!(w.account(&w.node_address(&second.pubkey())).is_none());
    assert_eq!(w.credits_of(&owner), 5_000 - ONBOARDING_FEE);
}

#[test]
fn offline_attestations_from_separate_parties() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let owner = w.owner(5_000);
    let device = w.device();
    let owner_file = write_key(dir.path(), "owner.json", &owner.keypair);
    let device_file = write_key(dir.path(), "device.json", &device);
    let maker_file = write_key(dir.path(), "maker.json", &w.makers[1].attestation);
    let network = w.network.to_string();
    let device_key = device.pubkey().to_string();

    // the maker signs at the factory, the device signs at onboarding
    let m = depin(
        &w,
        &[
            "--keypair",
            maker_file.to_str().unwrap(),
            "attest",
            "maker",
            "--network",
            &network,
            "--device-key",
            &device_key,
            "--class",
            "hotspot",
            "--capacity",
            "radios=1,gain=5.8,elevation=12",
        ],
    )
    .unwrap();
    let d = depin(
        &w,
        &[
            "--keypair",
            device_file.to_str().unwrap(),
            "attest",
            "device",
            "--network",
            &network,
            "--owner",
            &owner.pubkey().to_string(),
        ],
    )
    .unwrap();
    let nonce = d["consent_time"].as_u64().unwrap().to_string();
    let out = depin(
        &w,
        &[
            "--keypair",
            owner_file.to_str().unwrap(),
            "node",
            "register",
            "--network",
            &network,
            "--maker-key",
            &w.makers[1].maker_key.pubkey().to_string(),
            "--maker-signature",
            &s(&m, "signature"),
            "--device-key",
            &device_key,
            "--device-signature",
            &s(&d, "signature"),
            "--consent-time",
            &nonce,
            "--class",
            "hotspot",
            "--capacity",
            "radios=1,gain=5.8,elevation=12",
        ],
    )
    .unwrap();
    let listed = depin(&w, &["node", "list", "--network", &network]).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(s(&listed[0], "address"), s(&out, "node"));

    // a tampered signature is caught before anything is sent
    let mut bad = s(&d, "signature");
    bad.replace_range(0..1, if bad.starts_with('2') { "3" } else { "2" });
    let err = depin(
        &w,
        &[
            "--keypair",
            owner_file.to_str().unwrap(),
            "node",
            "register",
            "--network",
            &network,
            "--maker-key",
            &w.makers[1].maker_key.pubkey().to_string(),
            "--maker-signature",
            &s(&m, "signature"),
            "--device-key",
            &device_key,
            "--device-signature",
            &bad,
            "--consent-time",
            &nonce,
            "--class",
            "other",
            "--capacity",
            "units=1",
        ],
    )
    .unwrap_err();
    assert!(
        err.contains("does not verify") || err.contains("signature"),
        "{err}"
    );
}

#[test]
fn network_maker_and_node_commands() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let op = write_key(dir.path(), "op.json", &w.operator);
    let op = op.to_str().unwrap();
    let owner = w.owner(10_000);
    let owner_file = write_key(dir.path(), "owner.json", &owner.keypair);
    let owner_file = owner_file.to_str().unwrap();

    let created = depin(
        &w,
        &[
            "--keypair",
            op,
            "network",
            "create",
            "--name",
            "cli-net",
            "--token-mint",
            &w.token_mint.to_string(),
            "--credits-mint",
            &w.credits_mint.to_string(),
            "--onboarding-fee",
            "100",
            "--location-fee",
            "10",
        ],
    )
    .unwrap();
    let shown = depin(&w, &["network", "show", "cli-net"]).unwrap();
    assert_eq!(s(&shown, "address"), s(&created, "network"));
    assert_eq!(shown["onboarding_fee_credits"], 100);

    depin(
        &w,
        &[
            "--keypair",
            op,
            "network",
            "update",
            "cli-net",
            "--location-fee",
            "20",
        ],
    )
    .unwrap();
    assert_eq!(
        depin(&w, &["network", "show", "cli-net"]).unwrap()["location_fee_credits"],
        20
    );

    let maker = w.device();
    let maker_file = write_key(dir.path(), "maker.json", &maker);
    depin(
        &w,
        &[
            "--keypair",
            op,
            "maker",
            "add",
            "--network",
            "cli-net",
            "--maker-key",
            &maker.pubkey().to_string(),
        ],
    )
    .unwrap();
    let makers = depin(&w, &["maker", "list", "--network", "cli-net"]).unwrap();
    assert_eq!(makers.as_array().unwrap().len(), 1);

    let device = w.device();
    let device_file = write_key(dir.path(), "device.json", &device);
    let dk = device.pubkey().to_string();
    depin(
        &w,
        &[
            "--keypair",
            owner_file,
            "node",
            "register",
            "--network",
            "cli-net",
            "--maker-key",
            &maker.pubkey().to_string(),
            "--maker-keypair",
            maker_file.to_str().unwrap(),
            "--device-keypair",
            device_file.to_str().unwrap(),
            "--class",
            "gpu",
            "--capacity",
            "gpus=1,vram=24,tflops=165",
        ],
    )
    .unwrap();
    depin(
        &w,
        &[
            "--keypair",
            owner_file,
            "node",
            "assert-location",
            "--network",
            "cli-net",
            &dk,
            "8928308280fffff",
        ],
    )
    .unwrap();
    depin(
        &w,
        &[
            "--keypair",
            op,
            "node",
            "set-status",
            "--network",
            "cli-net",
            &dk,
            "suspended",
        ],
    )
    .unwrap();
    let shown = depin(&w, &["node", "show", "--network", "cli-net", &dk]).unwrap();
    assert_eq!(
        (s(&shown, "status"), s(&shown["location"], "cell")),
        ("Suspended".into(), "8928308280fffff".into())
    );

    // errors come back by name
    let err = depin(
        &w,
        &[
            "--keypair",
            owner_file,
            "node",
            "transfer",
            "--network",
            "cli-net",
            &dk,
            "--to",
            &maker.pubkey().to_string(),
        ],
    )
    .unwrap_err();
    assert!(err.contains("NodeSuspended"), "{err}");
    let err = depin(
        &w,
        &[
            "--keypair",
            owner_file,
            "node",
            "set-status",
            "--network",
            "cli-net",
            &dk,
            "active",
        ],
    )
    .unwrap_err();
    assert!(err.contains("is neither the network authority"), "{err}");
    let err = depin(
        &w,
        &[
            "--keypair",
            op,
            "maker",
            "revoke",
            "--network",
            "cli-net",
            "--maker-key",
            &owner.pubkey().to_string(),
        ],
    )
    .unwrap_err();
    assert!(err.contains("is not approved on cli-net"), "{err}");

    depin(
        &w,
        &[
            "--keypair",
            op,
            "node",
            "set-status",
            "--network",
            "cli-net",
            &dk,
            "active",
        ],
    )
    .unwrap();
    depin(
        &w,
        &[
            "--keypair",
            owner_file,
            "node",
            "decommission",
            "--network",
            "cli-net",
            &dk,
        ],
    )
    .unwrap();
    assert!(depin(&w, &["node", "show", "--network", "cli-net", &dk])
        .unwrap_err()
        .contains("has no node on cli-net"));
    // the device record stays
    let rec = depin(&w, &["node", "device", "--network", "cli-net", &dk]).unwrap();
    assert_eq!(
        (
            rec["registrations"].as_u64(),
            s(&rec, "status"),
            rec["node_registered"].as_bool()
        ),
        (Some(1), "Active".to_string(), Some(false))
    );

    depin(
        &w,
        &[
            "--keypair",
            op,
            "maker",
            "revoke",
            "--network",
            "cli-net",
            "--maker-key",
            &maker.pubkey().to_string(),
        ],
    )
    .unwrap();
    let makers = depin(&w, &["maker", "list", "--network", "cli-net"]).unwrap();
    assert_eq!(makers[0]["active"], false);
    // an update changes what it names only; reactivation is explicit
    depin(
        &w,
        &[
            "--keypair",
            op,
            "maker",
            "update",
            "--network",
            "cli-net",
            "--maker-key",
            &maker.pubkey().to_string(),
            "--device-cap",
            "7",
        ],
    )
    .unwrap();
    let makers = depin(&w, &["maker", "list", "--network", "cli-net"]).unwrap();
    assert_eq!(
        (&makers[0]["active"], &makers[0]["device_cap"]),
        (&serde_json::json!(false), &serde_json::json!(7))
    );
    depin(
        &w,
        &[
            "--keypair",
            op,
            "maker",
            "reactivate",
            "--network",
            "cli-net",
            "--maker-key",
            &maker.pubkey().to_string(),
        ],
    )
    .unwrap();
    let makers = depin(&w, &["maker", "list", "--network", "cli-net"]).unwrap();
    assert_eq!(makers[0]["active"], true);
}

#[test]
fn transfer_in_two_steps_from_the_cli() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let owner = w.owner(ONBOARDING_FEE);
    let buyer = w.owner(0);
    let (device, node) = w.register(&owner);
    let owner_file = write_key(dir.path(), "owner.json", &owner.keypair);
    let buyer_file = write_key(dir.path(), "buyer.json", &buyer.keypair);
    let network = w.network.to_string();
    let dk = device.pubkey().to_string();
    let offer = depin(
        &w,
        &[
            "--keypair",
            owner_file.to_str().unwrap(),
            "node",
            "transfer",
            "--network",
            &network,
            &dk,
            "--to",
            &buyer.pubkey().to_string(),
        ],
    )
    .unwrap();
    assert_eq!(s(&offer, "to"), buyer.pubkey().to_string());
    assert_eq!(
        w.node_state(&node).owner,
        owner.pubkey(),
        "nothing moved yet"
    );
    // the owner cannot accept on the buyer's behalf
    let err = depin(
        &w,
        &[
            "--keypair",
            owner_file.to_str().unwrap(),
            "node",
            "accept-transfer",
            "--network",
            &network,
            &dk,
        ],
    )
    .unwrap_err();
    assert!(
        err.contains("is to ") && err.contains("(--keypair)"),
        "{err}"
    );
    depin(
        &w,
        &[
            "--keypair",
            buyer_file.to_str().unwrap(),
            "node",
            "accept-transfer",
            "--network",
            &network,
            &dk,
        ],
    )
    .unwrap();
    assert_eq!(w.node_state(&node).owner, buyer.pubkey());
    // the fee limit of assert-location is shown and enforced
    let err = depin(
        &w,
        &[
            "--keypair",
            buyer_file.to_str().unwrap(),
            "node",
            "assert-location",
            "--network",
            &network,
            &dk,
            "8928308280fffff",
            "--max-fee",
            "0",
        ],
    )
    .unwrap_err();
    assert!(err.contains("above --max-fee 0"), "{err}");
}

#[test]
fn bad_input_is_reported_not_panicked() {
    let w = World::new();
    assert!(depin(&w, &["network", "show", "Not A Name"])
        .unwrap_err()
        .contains("neither a network name"));
    assert!(depin(&w, &["network", "show", "nosuchnet"])
        .unwrap_err()
        .contains("network `nosuchnet`"));
    assert!(depin(&w, &["tx", "send", "!!!"])
        .unwrap_err()
        .contains("base64"));
    assert!(depin(&w, &["tx", "send", "AAAA"])
        .unwrap_err()
        .contains("decode"));
    let err = depin(
        &w,
        &[
            "--keypair",
            "/no/such/key.json",
            "maker",
            "revoke",
            "--network",
            "test-net",
            "--maker-key",
            &w.makers[0].maker_key.pubkey().to_string(),
        ],
    )
    .unwrap_err();
    assert!(err.contains("/no/such/key.json"), "{err}");
}
