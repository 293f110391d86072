//! The wallet flows of the solana CLI, through `depin`: a register transaction built on
//! one machine with a durable nonce, signed much later on another, sent by a third;
//! signatures made offline and assembled with `--signer PUBKEY=SIGNATURE`; a separate fee
//! payer; dry runs; signer sources that are not files.
use depin_tests::*;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::Path;

fn write_key(dir: &Path, name: &str, k: &Keypair) -> String {
    let p = dir.join(name);
    depin::config::write_keypair(k, &p).unwrap();
    p.to_str().unwrap().to_string()
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} missing in {v}"))
        .to_string()
}

/// The machines of the flows: the builder holds the maker's and the device's keys (the
/// onboarding desk), the owner's cold wallet holds only the owner's key.
struct Desk {
    w: World,
    _dir: tempfile::TempDir,
    owner: Owner,
    owner_file: String,
    maker_file: String,
    device_file: String,
    device: Keypair,
    nonce: Keypair,
}

impl Desk {
    fn new() -> Self {
        let w = World::new();
        let dir = tempfile::tempdir().unwrap();
        let owner = w.owner(10 * ONBOARDING_FEE);
        let device = w.device();
        let nonce = Keypair::new_from_array([0x71; 32]);
        Desk {
            owner_file: write_key(dir.path(), "owner.json", &owner.keypair),
            maker_file: write_key(dir.path(), "maker.json", &w.makers[0].attestation),
            device_file: write_key(dir.path(), "device.json", &device),
            _dir: dir,
            w,
            owner,
            device,
            nonce,
        }
    }

    fn nonce_file(&self) -> String {
        write_key(self._dir.path(), "nonce.json", &self.nonce)
    }

    /// `node register` for the desk's device with `extra` flags.
    fn register(&self, extra: &[&str]) -> Result<Value, String> {
        let network = self.w.network.to_string();
        let maker = self.w.makers[0].maker_key.pubkey().to_string();
        let mut args = vec![
            "node",
            "register",
            "--network",
            &network,
            "--maker-key",
            &maker,
            "--maker-keypair",
            &self.maker_file,
            "--device-keypair",
            &self.device_file,
            "--class",
            "hotspot",
            "--capacity",
            "radios=1,gain=5.8,elevation=12",
        ];
        args.extend_from_slice(extra);
        run_cli(&self.w, &args)
    }

    fn node_exists(&self) -> bool {
        self.w
            .account(&self.w.node_address(&self.device.pubkey()))
            .is_some()
    }
}

#[test]
fn durable_nonce_register_built_signed_much_later_and_sent_by_three_parties() {
    let d = Desk::new();
    let owner = d.owner.pubkey().to_string();
    // the owner's wallet creates a nonce account it controls
    let created = run_cli(
        &d.w,
        &[
            "--keypair",
            &d.owner_file,
            "nonce",
            "create",
            &d.nonce_file(),
        ],
    )
    .unwrap();
    let nonce = d.nonce.pubkey().to_string();
    assert_eq!(s(&created, "authority"), owner);
    let stored = run_cli(&d.w, &["nonce", "show", &nonce]).unwrap();

    // 1. the desk builds it for the owner's pubkey, with the nonce: nothing signed by the owner
    let consent = d.w.now().to_string();
    let built = d
        .register(&[
            "--keypair",
            &owner,
            "--sign-only",
            "--nonce",
            &nonce,
            "--consent-time",
            &consent,
        ])
        .unwrap();
    assert_eq!(built["missing_signers"], json!([owner]));
    assert_eq!(s(&built, "blockhash"), s(&stored, "blockhash"));
    let shown = run_cli(&d.w, &["tx", "inspect", &s(&built, "transaction")]).unwrap();
    assert_eq!(s(&shown, "nonce_account"), nonce);
    assert_eq!(shown["programs"][0], "11111111111111111111111111111111");

    // a transaction built the ordinary way at the same moment, for comparison
    let ordinary = d
        .register(&[
            "--keypair",
            &d.owner_file,
            "--sign-only",
            "--consent-time",
            &consent,
        ])
        .unwrap();
    assert_eq!(ordinary["missing_signers"], json!([]));

    // minutes of cluster time and hundreds of blocks later (every recent blockhash gone)
    d.w.net.advance_time(10 * 60).unwrap();
    for _ in 0..160 {
        d.w.net.advance_slot().unwrap();
    }
    let err = run_cli(&d.w, &["tx", "send", &s(&ordinary, "transaction")]).unwrap_err();
    assert!(err.contains("Blockhash not found"), "{err}");
    assert!(!d.node_exists());

    // 2. the cold wallet signs (it needs no cluster for that)
    let signed = run_cli(
        &d.w,
        &[
            "--keypair",
            &d.owner_file,
            "tx",
            "sign",
            &s(&built, "transaction"),
        ],
    )
    .unwrap();
    assert_eq!(signed["missing_signers"], json!([]));
    // 3. anyone sends it
    run_cli(&d.w, &["tx", "send", &s(&signed, "transaction")]).unwrap();
    assert!(d.node_exists());
    assert_eq!(
        d.w.node_state(&d.w.node_address(&d.device.pubkey())).owner,
        d.owner.pubkey()
    );
    // the nonce moved on, so the same transaction can never land twice
    let after = run_cli(&d.w, &["nonce", "show", &nonce]).unwrap();
    assert_ne!(s(&after, "blockhash"), s(&stored, "blockhash"));
    let again = run_cli(&d.w, &["tx", "send", &s(&signed, "transaction")]).unwrap_err();
    assert!(!again.is_empty());
}

#[test]
fn offline_signatures_assemble_with_signer_pubkey_equals_signature() {
    let d = Desk::new();
    let owner = d.owner.pubkey().to_string();
    let payer = d.w.operator.pubkey().to_string();
    let payer_file = write_key(d._dir.path(), "payer.json", &d.w.operator);
    let consent = d.w.now().to_string();
    let blockhash = depin::transport::Transport::latest_blockhash(&d.w.net)
        .unwrap()
        .to_string();
    // the owner's air-gapped machine signs the exact transaction: same command, same
    // blockhash, the fee payer named by pubkey
    let common = [
        "--blockhash",
        &blockhash,
        "--consent-time",
        &consent,
        "--fee-payer",
        &payer,
    ];
    let mut args = vec!["--keypair", &d.owner_file, "--sign-only"];
    args.extend_from_slice(&common);
    let offline = d.register(&args).unwrap();
    assert_eq!(offline["missing_signers"], json!([payer]));
    let pair = offline["signers"][0].as_str().unwrap().to_string();
    assert!(pair.starts_with(&format!("{owner}=")), "{pair}");

    // a signature for another transaction is refused by name, nothing sent
    let bad_sig = d.w.operator.sign_message(b"not this transaction");
    let bad = format!("{owner}={bad_sig}");
    let mut args = vec![
        "--keypair",
        &owner,
        "--signer",
        &bad,
        "--fee-payer",
        &payer_file,
    ];
    args.extend_from_slice(&common[..4]);
    let err = d.register(&args).unwrap_err();
    assert!(err.contains("presigner error"), "{err}");
    assert!(!d.node_exists());

    // online: the owner by pubkey with its signature, the fee payer's key at hand
    let mut args = vec![
        "--keypair",
        &owner,
        "--signer",
        &pair,
        "--fee-payer",
        &payer_file,
    ];
    args.extend_from_slice(&common[..4]);
    let sent = d.register(&args).unwrap();
    assert!(sent["signature"].is_string(), "{sent}");
    assert!(d.node_exists());
    // the owner paid the onboarding fee in credits, the fee payer the SOL
    assert_eq!(d.w.credits_of(&d.owner), 9 * ONBOARDING_FEE);
}

#[test]
fn dry_run_prints_units_and_fee_and_sends_nothing() {
    let d = Desk::new();
    let out = d
        .register(&["--keypair", &d.owner_file, "--dry-run"])
        .unwrap();
    assert_eq!(out["dry_run"], true);
    let units = out["compute_units"].as_u64().unwrap();
    // (native mode counts the builtins only; the SBF run counts the program too)
    assert!(units > 0 && units < 200_000, "{out}");
    // the owner's signature and the two precompile signatures (maker, device)
    assert_eq!(out["fee_lamports"], 15_000, "{out}");
    assert_eq!(out["fee_sol"], "0.000015000");
    assert!(!d.node_exists());
    // a priority fee without a limit: the limit comes from a simulation
    let out = d
        .register(&[
            "--keypair",
            &d.owner_file,
            "--dry-run",
            "--with-compute-unit-price",
            "1000000",
        ])
        .unwrap();
    let fee = out["fee_lamports"].as_u64().unwrap();
    // 1 lamport per CU at 10^6 micro-lamports: about the units used, not 200,000 per ix
    assert!(fee > 15_000 + units && fee < 15_000 + 2 * units, "{out}");
    // a dry run of a doomed transaction fails with the program's error
    d.w.configure(|a| a.onboarding_fee_credits = Some(ONBOARDING_FEE));
    let err = d
        .register(&["--keypair", &d.owner_file, "--dry-run", "--max-fee", "0"])
        .unwrap_err();
    assert!(err.contains("above --max-fee 0"), "{err}");
}

#[test]
fn signer_sources_follow_the_solana_cli() {
    let d = Desk::new();
    let maker = d.w.makers[0].maker_key.pubkey().to_string();
    let network = d.w.network.to_string();
    let revoke = |keypair: &str| {
        run_cli(
            &d.w,
            &[
                "--keypair",
                keypair,
                "maker",
                "revoke",
                "--network",
                &network,
                "--maker-key",
                &maker,
            ],
        )
    };
    // a hardware wallet path is a hardware wallet, not a file name
    let err = revoke("usb://ledger").unwrap_err();
    assert!(err.starts_with("--keypair `usb://ledger`: "), "{err}");
    assert!(!err.contains("No such file"), "{err}");
    // a missing file is named
    let err = revoke("/no/such/key.json").unwrap_err();
    assert!(err.starts_with("--keypair `/no/such/key.json`: "), "{err}");
    // address flags take a keypair file too
    let maker_file = write_key(d._dir.path(), "mk.json", &d.w.makers[0].maker_key);
    let shown = run_cli(&d.w, &["maker", "list", "--network", &network]).unwrap();
    assert_eq!(shown[0]["maker_key"], maker.as_str());
    let op = write_key(d._dir.path(), "op.json", &d.w.operator);
    run_cli(
        &d.w,
        &[
            "--keypair",
            &op,
            "maker",
            "revoke",
            "--network",
            &network,
            "--maker-key",
            &maker_file,
        ],
    )
    .unwrap();
    assert!(!d.w.maker_state(&d.w.makers[0].address).active);
}
