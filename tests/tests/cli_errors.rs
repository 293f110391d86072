//! The CLI's errors as users see them: one line, each cause once, the URL named, unknown
//! networks and clusters refused, config errors with their place.
use depin_tests::*;
use solana_keypair::Keypair;

#[test]
fn a_refused_transaction_names_its_error_once() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let owner = w.owner(5_000);
    let device = w.device();
    let key = |name: &str, k: &Keypair| {
        let p = dir.path().join(name);
        depin::config::write_keypair(k, &p).unwrap();
        p.to_str().unwrap().to_string()
    };
    let (owner_file, device_file, maker_file) = (
        key("owner.json", &owner.keypair),
        key("device.json", &device),
        key("maker.json", &w.makers[0].attestation),
    );
    let maker_key = solana_signer::Signer::pubkey(&w.makers[0].maker_key).to_string();
    let register = |extra: &[&str]| {
        let mut args = vec![
            "--keypair",
            &owner_file,
            "node",
            "register",
            "--network",
            "test-net",
            "--maker-key",
            &maker_key,
            "--maker-keypair",
            &maker_file,
            "--device-keypair",
            &device_file,
            "--class",
            "storage",
            "--capacity",
            "bytes=8e12",
        ];
        args.extend_from_slice(extra);
        run_cli(&w, &args)
    };
    // signed while the network is open, paused before it lands: the program's refusal,
    // named once
    let signed = register(&["--sign-only"]).unwrap();
    assert_eq!(signed["missing_signers"], serde_json::json!([]), "{signed}");
    w.configure(|a| a.paused = Some(true));
    let err = run_cli(&w, &["tx", "send", signed["transaction"].as_str().unwrap()]).unwrap_err();
    assert_eq!(err.matches("NetworkPaused").count(), 1, "{err}");
    assert!(
        err.contains("NetworkPaused (6005): the network is paused"),
        "{err}"
    );
    // built now, it is refused before anything is signed
    let err = register(&[]).unwrap_err();
    assert_eq!(err, "network test-net is paused: registrations are refused");
    // listing an unknown network is an error, not an empty list
    let err = run_cli(&w, &["node", "list", "--network", "nosuchnet"]).unwrap_err();
    let addr = depin::pda::network("nosuchnet").0;
    assert!(
        err.starts_with(&format!(
            "network `nosuchnet` ({addr}) does not exist on embedded"
        )),
        "{err}"
    );
    let err = run_cli(&w, &["maker", "list", "--network", "nosuchnet"]).unwrap_err();
    assert!(err.starts_with("network `nosuchnet`"), "{err}");
}

#[test]
fn one_line_errors_before_and_after_the_network() {
    let e = depin::config::resolve_url("devnett")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "`devnett` is not a cluster: give mainnet-beta, devnet, testnet, localhost, embedded \
         (or m, d, t, l, e) or an http(s) URL"
    );
    // the chain's causes, each once
    let inner = anyhow::anyhow!("NetworkPaused (6005): the network is paused");
    let e = inner.context("transaction failed: NetworkPaused (6005): the network is paused");
    let e = e.context("registering node 3");
    assert_eq!(
        depin::errors::one_line(&e),
        "registering node 3: transaction failed: NetworkPaused (6005): the network is paused"
    );
    // a corrupt solana CLI config: the file, the field, the line
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.yml");
    std::fs::write(&cfg, "json_rpc_url: [oops\n").unwrap();
    let e = depin::config::load_defaults(Some(&cfg))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!("solana CLI config {}: ", cfg.display())),
        "{e}"
    );
    assert!(e.contains("line 1") && !e.contains("Error(\""), "{e}");
}

#[test]
fn compute_budget_flags_reach_every_transaction_and_inspect_shows_them() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let op = dir.path().join("op.json");
    depin::config::write_keypair(&w.operator, &op).unwrap();
    let op = op.to_str().unwrap();
    let to = Keypair::new_from_array([0x66; 32]);
    let to_key = solana_signer::Signer::pubkey(&to);
    // a maker added with a priority fee and a limit: built sign-only, then inspected
    let maker_key = solana_signer::Signer::pubkey(&Keypair::new_from_array([0x65; 32]));
    let operator = solana_signer::Signer::pubkey(&w.operator).to_string();
    let built = run_cli(
        &w,
        &[
            "--keypair",
            &operator,
            "--with-compute-unit-price",
            "5000",
            "--with-compute-unit-limit",
            "60000",
            "--sign-only",
            "maker",
            "add",
            "--network",
            &w.network.to_string(),
            "--maker-key",
            &maker_key.to_string(),
            "--attestation-key",
            &to_key.to_string(),
        ],
    )
    .unwrap();
    let tx = built["transaction"].as_str().unwrap();
    let shown = run_cli(&w, &["tx", "inspect", tx]).unwrap();
    let budget = "ComputeBudget111111111111111111111111111111";
    let programs: Vec<&str> = shown["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(programs[..2], [budget, budget], "{shown}");
    assert_eq!(programs[2], node_registry::ID.to_string());
    assert_eq!(shown["fee_payer"], operator.as_str());
    assert_eq!(shown["signed"], serde_json::json!([]));
    assert_eq!(shown["missing_signers"], serde_json::json!([operator]));
    // signed and sent: it lands with the budget in it
    let signed = run_cli(&w, &["--keypair", op, "tx", "sign", tx]).unwrap();
    let signed_tx = signed["transaction"].as_str().unwrap();
    assert_eq!(
        run_cli(&w, &["tx", "inspect", signed_tx]).unwrap()["signed"],
        serde_json::json!([operator])
    );
    run_cli(&w, &["tx", "send", signed_tx]).unwrap();
    assert!(w
        .account(&depin::pda::maker(&w.network, &maker_key).0)
        .is_some());
}

#[test]
fn every_sending_command_builds_offline_and_sign_only_sends_nothing() {
    let w = World::new();
    let operator = solana_signer::Signer::pubkey(&w.operator).to_string();
    let maker = solana_signer::Signer::pubkey(&w.makers[0].maker_key).to_string();
    let before = w.account(&w.makers[0].address).unwrap();
    let built = run_cli(
        &w,
        &[
            "--keypair",
            &operator,
            "--sign-only",
            "maker",
            "revoke",
            "--network",
            &w.network.to_string(),
            "--maker-key",
            &maker,
        ],
    )
    .unwrap();
    assert_eq!(built["missing_signers"], serde_json::json!([operator]));
    assert_eq!(built["signers"], serde_json::json!([]));
    assert_eq!(w.account(&w.makers[0].address).unwrap(), before);
    // a bare pubkey without --sign-only or its signature is refused before anything else
    let err = run_cli(
        &w,
        &[
            "--keypair",
            &operator,
            "maker",
            "revoke",
            "--network",
            &w.network.to_string(),
            "--maker-key",
            &maker,
        ],
    )
    .unwrap_err();
    assert_eq!(
        err,
        format!("--keypair `{operator}`: missing signature for supplied pubkey: {operator}")
    );
    assert_eq!(w.account(&w.makers[0].address).unwrap(), before);
}
