//! End to end over JSON-RPC against `solana-test-validator` (Agave 3.1.12, built by
//! `scripts/validator.sh`) with our SBF programs: the `depin` and `depin-bootstrap`
//! binaries as separate processes, the wallet flow across three processes, expired
//! blockhashes, durable nonces, Anchor error names from preflight, a validator that dies
//! mid-command, and the whole demo (oracle reports by three keys, claims) over RPC.
//!
//! `scripts/rpc-e2e.sh` builds and starts the validator with the SBF files and runs these
//! with `--ignored`; `scripts/test.sh` (and so CI) runs it last. Without
//! `DEPIN_VALIDATOR_URL` they fail rather than pass vacuously.
use serde_json::Value;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Cluster {
    url: String,
    /// The genesis mint's keypair file: the network authority and payer of these tests.
    mint: String,
    bins: PathBuf,
    dir: tempfile::TempDir,
}

fn cluster() -> Cluster {
    let url = std::env::var("DEPIN_VALIDATOR_URL")
        .expect("DEPIN_VALIDATOR_URL: start a validator with scripts/validator.sh");
    let mint = std::env::var("DEPIN_VALIDATOR_MINT").expect("DEPIN_VALIDATOR_MINT");
    // target/debug/deps/rpc_e2e-… → target/debug
    let bins = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    Cluster {
        url,
        mint,
        bins,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Cluster {
    fn key(&self, name: &str, k: &Keypair) -> String {
        let p = self.dir.path().join(format!("{name}.json"));
        depin::config::write_keypair(k, &p).unwrap();
        p.to_str().unwrap().to_string()
    }

    fn exec(&self, bin: &str, args: &[&str]) -> (i32, String, String) {
        // no solana CLI config of the machine's user is read
        let out = Command::new(self.bins.join(bin))
            .env("HOME", self.dir.path())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("running {bin}: {e} (cargo build --bins first)"));
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `depin --url … -k KEY --output json ARGS`: the JSON printed, or the one-line error.
    fn depin_as(&self, key: &str, args: &[&str]) -> Result<Value, String> {
        let all = [
            &["--url", &self.url, "-k", key, "--output", "json"][..],
            args,
        ]
        .concat();
        let (rc, out, err) = self.exec("depin", &all);
        if rc != 0 {
            // one line, plus for a refused transaction the hint where its logs are
            let lines: Vec<&str> = err
                .lines()
                .filter(|l| !l.starts_with("(run with -v"))
                .collect();
            assert_eq!(lines.len(), 1, "more than one line: {err}");
            return Err(err.trim_end().to_string());
        }
        serde_json::from_str(&out).map_err(|e| format!("not JSON ({e}): {out}"))
    }

    fn depin(&self, args: &[&str]) -> Result<Value, String> {
        self.depin_as(&self.mint, args)
    }

    fn rpc(&self) -> depin::transport::rpc::RpcTransport {
        depin::transport::rpc::RpcTransport::new(&self.url)
    }

    fn authority(&self) -> Keypair {
        depin::config::read_keypair(Path::new(&self.mint)).unwrap()
    }

    /// SOL from the genesis mint.
    fn fund(&self, to: &solana_pubkey::Pubkey, lamports: u64) {
        let a = self.authority();
        let t = self.rpc();
        depin::registry::Registry::new(&t)
            .send(
                &[depin::ix::transfer_lamports(&a.pubkey(), to, lamports)],
                &a,
                &[],
            )
            .unwrap();
    }
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} missing in {v}"))
        .to_string()
}

/// A device registered through `node register` with real maker and device keypair files.
fn register(
    c: &Cluster,
    owner: &str,
    network: &str,
    maker: &str,
    maker_file: &str,
    device_file: &str,
    extra: &[&str],
) -> Result<Value, String> {
    let args = [
        &[
            "node",
            "register",
            "--network",
            network,
            "--maker-key",
            maker,
            "--maker-keypair",
            maker_file,
            "--device-keypair",
            device_file,
            "--class",
            "gpu",
            "--capacity",
            "gpus=8,vram=80,tflops=989",
        ][..],
        extra,
    ]
    .concat();
    c.depin_as(owner, &args)
}

#[test]
#[ignore = "needs a validator: scripts/rpc-e2e.sh runs it with --ignored"]
fn bootstrap_cli_and_node_life_over_rpc() {
    let c = cluster();
    let authority = c.authority();
    let maker = Keypair::new_from_array([0x31; 32]);
    let attest = Keypair::new_from_array([0x32; 32]);
    let toml = c.dir.path().join("network.toml");
    std::fs::write(
        &toml,
        format!(
            "name = \"rpc-net\"\nattestation_window_s = 3600\n\n[[makers]]\nmaker_key = \"{}\"\nattestation_key = \"{}\"\ndevice_cap = 100\n",
            maker.pubkey(),
            attest.pubkey()
        ),
    )
    .unwrap();
    let toml = toml.to_str().unwrap();

    // depin-bootstrap twice: the second run finds everything in place
    let boot = |_: ()| {
        let (rc, out, err) = c.exec(
            "depin-bootstrap",
            &[toml, "--url", &c.url, "--keypair", &c.mint],
        );
        assert_eq!(rc, 0, "{err}");
        serde_json::from_str::<Value>(&out).unwrap()
    };
    let first = boot(());
    assert!(!first["actions"].as_array().unwrap().is_empty(), "{first}");
    let second = boot(());
    assert_eq!(second["actions"], serde_json::json!([]), "{second}");
    assert_eq!(first["network"], second["network"]);

    let shown = c.depin(&["network", "show", "rpc-net"]).unwrap();
    assert_eq!(s(&shown, "authority"), authority.pubkey().to_string());
    assert_eq!(shown["maker_count"], 1);

    // a second maker through the CLI, with its key given as a keypair file
    let maker2 = Keypair::new_from_array([0x33; 32]);
    let maker2_file = c.key("maker2", &maker2);
    c.depin(&[
        "maker",
        "add",
        "--network",
        "rpc-net",
        "--maker-key",
        &maker2_file,
    ])
    .unwrap();
    // the same again is refused before anything is signed
    let again = c
        .depin(&[
            "maker",
            "add",
            "--network",
            "rpc-net",
            "--maker-key",
            &maker2_file,
        ])
        .unwrap_err();
    assert!(again.starts_with("error: "), "{again}");

    // an owner registers two devices with real maker and device key files
    let owner = Keypair::new_from_array([0x35; 32]);
    c.fund(&owner.pubkey(), 2_000_000_000);
    let owner_file = c.key("owner", &owner);
    let attest_file = c.key("attest", &attest);
    let maker_s = maker.pubkey().to_string();
    let devices: Vec<Keypair> = (0..2u8)
        .map(|i| Keypair::new_from_array([0x40 + i; 32]))
        .collect();
    for (i, d) in devices.iter().enumerate() {
        let f = c.key(&format!("device{i}"), d);
        let r = register(&c, &owner_file, "rpc-net", &maker_s, &attest_file, &f, &[]).unwrap();
        assert!(!s(&r, "signature").is_empty(), "{r}");
    }
    // the same device again: refused, nothing changes
    let dup_file = c.key("device0", &devices[0]);
    let dup = register(
        &c,
        &owner_file,
        "rpc-net",
        &maker_s,
        &attest_file,
        &dup_file,
        &[],
    )
    .unwrap_err();
    assert!(dup.starts_with("error: "), "{dup}");

    // node list: getProgramAccounts with the network and owner filters on the server
    let listed = c.depin(&["node", "list", "--network", "rpc-net"]).unwrap();
    let keys: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|n| s(n, "device_key"))
        .collect();
    for d in &devices {
        assert!(keys.contains(&d.pubkey().to_string()), "{listed}");
    }
    assert_eq!(keys.len(), 2, "{listed}");
    let stranger_file = c.key("stranger", &Keypair::new_from_array([0x34; 32]));
    let mine = c
        .depin(&[
            "node",
            "list",
            "--network",
            "rpc-net",
            "--owner",
            &owner_file,
        ])
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
    let none = c
        .depin(&[
            "node",
            "list",
            "--network",
            "rpc-net",
            "--owner",
            &stranger_file,
        ])
        .unwrap();
    assert_eq!(none, serde_json::json!([]));
    let shown = c.depin(&["network", "show", "rpc-net"]).unwrap();
    assert_eq!(shown["node_count"], 2);

    // a location, a two-step transfer, a decommission
    let d0 = devices[0].pubkey().to_string();
    let d1 = devices[1].pubkey().to_string();

    // a transaction refused by the program in preflight names the Anchor error: signed
    // while the network was open, sent after the authority paused it
    let early = c
        .depin_as(
            &owner_file,
            &[
                "--sign-only",
                "node",
                "assert-location",
                "--network",
                "rpc-net",
                &d1,
                "8928308280fffff",
            ],
        )
        .unwrap();
    c.depin(&["network", "update", "rpc-net", "--paused", "true"])
        .unwrap();
    let paused = c
        .depin(&["tx", "send", &s(&early, "transaction")])
        .unwrap_err();
    assert!(paused.contains("NetworkPaused (6005)"), "{paused}");
    c.depin(&["network", "update", "rpc-net", "--paused", "false"])
        .unwrap();

    c.depin_as(
        &owner_file,
        &[
            "node",
            "assert-location",
            "--network",
            "rpc-net",
            &d0,
            "8928308280fffff",
        ],
    )
    .unwrap();
    let node = c
        .depin(&["node", "show", "--network", "rpc-net", &d0])
        .unwrap();
    assert_eq!(node["location"]["cell"], "8928308280fffff", "{node}");
    let buyer = Keypair::new_from_array([0x36; 32]);
    c.fund(&buyer.pubkey(), 1_000_000_000);
    let buyer_file = c.key("buyer", &buyer);
    let buyer_s = buyer.pubkey().to_string();
    c.depin_as(
        &owner_file,
        &[
            "node",
            "transfer",
            "--network",
            "rpc-net",
            &d0,
            "--to",
            &buyer_s,
        ],
    )
    .unwrap();
    c.depin_as(
        &buyer_file,
        &["node", "accept-transfer", "--network", "rpc-net", &d0],
    )
    .unwrap();
    let node = c
        .depin(&["node", "show", "--network", "rpc-net", &d0])
        .unwrap();
    assert_eq!(s(&node, "owner"), buyer_s);
    c.depin_as(
        &owner_file,
        &["node", "decommission", "--network", "rpc-net", &d1],
    )
    .unwrap();
    let gone = c
        .depin(&["node", "show", "--network", "rpc-net", &d1])
        .unwrap_err();
    assert!(gone.contains("has no node on rpc-net"), "{gone}");
    let shown = c.depin(&["network", "show", "rpc-net"]).unwrap();
    assert_eq!(shown["node_count"], 1);
}

#[test]
#[ignore = "needs a validator: scripts/rpc-e2e.sh runs it with --ignored"]
fn wallet_flow_across_processes_expiry_and_durable_nonce() {
    let c = cluster();
    let t = c.rpc();
    // a blockhash taken now expires while the network is set up
    let early = depin::transport::Transport::latest_blockhash(&t).unwrap();
    let maker = Keypair::new_from_array([0x51; 32]);
    let maker_file = c.key("maker", &maker);
    let maker_s = maker.pubkey().to_string();
    let token = Keypair::new_from_array([0x52; 32]);
    let credits = Keypair::new_from_array([0x53; 32]);
    let authority = c.authority();
    let reg = depin::registry::Registry::new(&t);
    reg.create_mint(
        &authority,
        &token,
        &authority.pubkey(),
        6,
        &depin::tokens::TOKEN_PROGRAM,
    )
    .unwrap();
    let network = depin::pda::network("wallet-net").0;
    reg.create_credits_mint(
        &authority,
        &credits,
        &depin::settlement::settlement_address(&network),
        0,
    )
    .unwrap();
    c.depin(&[
        "network",
        "create",
        "--name",
        "wallet-net",
        "--token-mint",
        &token.pubkey().to_string(),
        "--credits-mint",
        &credits.pubkey().to_string(),
    ])
    .unwrap();
    c.depin(&[
        "maker",
        "add",
        "--network",
        "wallet-net",
        "--maker-key",
        &maker_s,
    ])
    .unwrap();

    // the owner's wallet is cold: the desk builds for its public key
    let owner = Keypair::new_from_array([0x54; 32]);
    c.fund(&owner.pubkey(), 2_000_000_000);
    let owner_s = owner.pubkey().to_string();
    let owner_file = c.key("owner", &owner);
    let device = Keypair::new_from_array([0x55; 32]);
    let device_file = c.key("device", &device);

    // 1. an expired blockhash: built and signed fine, refused when sent, with the way out
    while t.is_blockhash_valid(&early).unwrap() {
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let built = register(
        &c,
        &owner_s,
        "wallet-net",
        &maker_s,
        &maker_file,
        &device_file,
        &["--sign-only", "--blockhash", &early.to_string()],
    )
    .unwrap();
    let signed = c
        .depin_as(&owner_file, &["tx", "sign", &s(&built, "transaction")])
        .unwrap();
    let expired = c
        .depin(&["tx", "send", &s(&signed, "transaction")])
        .unwrap_err();
    assert!(expired.contains("blockhash"), "{expired}");
    assert!(expired.contains("--nonce"), "{expired}");
    let node = depin::pda::node(&network, &device.pubkey()).0;
    assert!(depin::transport::Transport::get_account(&t, &node)
        .unwrap()
        .is_none());

    // 2. the three-process flow with a recent blockhash: build, sign elsewhere, send
    let built = register(
        &c,
        &owner_s,
        "wallet-net",
        &maker_s,
        &maker_file,
        &device_file,
        &["--sign-only"],
    )
    .unwrap();
    assert_eq!(built["missing_signers"], serde_json::json!([owner_s]));
    let signed = c
        .depin_as(&owner_file, &["tx", "sign", &s(&built, "transaction")])
        .unwrap();
    let sent = c
        .depin(&["tx", "send", &s(&signed, "transaction")])
        .unwrap();
    assert!(!s(&sent, "signature").is_empty());
    assert!(depin::transport::Transport::get_account(&t, &node)
        .unwrap()
        .is_some());

    // 3. a durable nonce: built now, signed and sent after its blockhash would have expired
    let nonce = Keypair::new_from_array([0x56; 32]);
    let nonce_file = c.key("nonce", &nonce);
    let nonce_s = nonce.pubkey().to_string();
    c.depin_as(&owner_file, &["nonce", "create", &nonce_file])
        .unwrap();
    let device2 = Keypair::new_from_array([0x57; 32]);
    let device2_file = c.key("device2", &device2);
    let built = register(
        &c,
        &owner_s,
        "wallet-net",
        &maker_s,
        &maker_file,
        &device2_file,
        &["--sign-only", "--nonce", &nonce_s],
    )
    .unwrap();
    let stored = c.depin(&["nonce", "show", &nonce_s]).unwrap();
    assert_eq!(s(&built, "blockhash"), s(&stored, "blockhash"));
    // long enough for any recent blockhash to expire (150 slots)
    let slot = t.slot().unwrap();
    while t.slot().unwrap() < slot + 160 {
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let signed = c
        .depin_as(&owner_file, &["tx", "sign", &s(&built, "transaction")])
        .unwrap();
    c.depin(&["tx", "send", &s(&signed, "transaction")])
        .unwrap();
    let node2 = depin::pda::node(&network, &device2.pubkey()).0;
    assert!(depin::transport::Transport::get_account(&t, &node2)
        .unwrap()
        .is_some());
    let advanced = c.depin(&["nonce", "show", &nonce_s]).unwrap();
    assert_ne!(s(&advanced, "blockhash"), s(&stored, "blockhash"));
}

/// A validator of its own, stopped while `depin` waits for a finalized confirmation: one
/// line naming the URL, a non-zero exit, and no file of the CLI's left half-written.
#[test]
#[ignore = "needs a validator: scripts/rpc-e2e.sh runs it with --ignored"]
fn validator_stopped_mid_command() {
    let c = cluster();
    let root = std::env::var("DEPIN_REPO").expect("DEPIN_REPO: the repository root");
    let port: u16 = std::env::var("DEPIN_VALIDATOR_SPARE_PORT")
        .expect("DEPIN_VALIDATOR_SPARE_PORT")
        .parse()
        .unwrap();
    let dir = c.dir.path().join("spare");
    let dir_s = dir.to_str().unwrap().to_string();
    let script = Path::new(&root).join("scripts/validator.sh");
    let started = Command::new("bash")
        .arg(&script)
        .args(["start", &dir_s, &port.to_string()])
        .output()
        .unwrap();
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let url = String::from_utf8_lossy(&started.stdout).trim().to_string();
    let stop = || {
        Command::new("bash")
            .arg(&script)
            .args(["stop", &dir_s])
            .status()
            .unwrap();
    };
    let mint = dir.join("ledger/mint.json");
    let nonce = c.key("spare-nonce", &Keypair::new_from_array([0x61; 32]));
    let child = Command::new(c.bins.join("depin"))
        .env("HOME", c.dir.path())
        .args([
            "--url",
            &url,
            "-k",
            mint.to_str().unwrap(),
            "--commitment",
            "finalized",
            "nonce",
            "create",
            &nonce,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // sent, and waiting for finalization (about 13 s on a fresh validator)
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    stop();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("cannot reach {url}")), "{err}");

    // a file-writing command against the stopped validator leaves no file and no temporary
    let work = c.dir.path().join("work.json");
    std::fs::write(&work, "{}").unwrap();
    let outfile = c.dir.path().join("rewards-0.json");
    let (rc, _, err) = c.exec(
        "depin",
        &[
            "--url",
            &url,
            "rewards",
            "compute",
            "rpc-net",
            "--epoch",
            "0",
            "--work",
            work.to_str().unwrap(),
            "--out",
            outfile.to_str().unwrap(),
        ],
    );
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains(&format!("cannot reach {url}")), "{err}");
    let left: Vec<_> = std::fs::read_dir(c.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("rewards-0"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `depin demo --url …` (60-second epochs): the whole demo over RPC — makers,
/// registrations with real maker and device signatures, burn-and-mint, three oracle keys
/// reporting each epoch (one submits, two approve), disputes, finalisation and claims —
/// with the embedded run's figures but for addresses, times and rates.
#[test]
#[ignore = "needs a validator: scripts/rpc-e2e.sh"]
fn demo_over_rpc_has_the_embedded_runs_figures() {
    let c = cluster();
    let nodes = "8";
    let (rc, out, err) = c.exec(
        "depin",
        &[
            "--url",
            &c.url,
            "-k",
            &c.mint,
            "--output",
            "json",
            "demo",
            "--nodes",
            nodes,
            "--epoch-seconds",
            "60",
            "--challenge-seconds",
            "3",
        ],
    );
    assert_eq!(rc, 0, "{err}");
    let rpc: Value = serde_json::from_str(&out).unwrap();
    let (rc, out, err) = c.exec(
        "depin",
        &["--output", "json", "demo", "--nodes", nodes, "-q"],
    );
    assert_eq!(rc, 0, "{err}");
    let embedded: Value = serde_json::from_str(&out).unwrap();

    assert_eq!(rpc["runtime"], c.url.as_str());
    assert_eq!(rpc["nodes_registered"], 8);
    assert_eq!(rpc["node_accounts_on_chain"], rpc["nodes_registered"]);
    assert_eq!(rpc["epochs_by_accumulated_approvals"], 6, "{rpc}");
    assert!(rpc["claims"].as_u64().unwrap() >= 2 * 8, "{rpc}");
    for flag in [
        "credits_reconcile",
        "oracle_roots_agree",
        "supply_reconciles",
        "transferred_node_rewards_follow_owner",
    ] {
        assert_eq!(rpc[flag], true, "{flag}: {rpc}");
    }
    // every figure but where, when and how fast
    let differ = [
        "runtime",
        "network",
        "registrations_per_second",
        "elapsed_ms",
        "register_compute_units_max",
    ];
    let (a, b) = (rpc.as_object().unwrap(), embedded.as_object().unwrap());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same fields"
    );
    for (k, v) in a {
        if !differ.contains(&k.as_str()) {
            assert_eq!(v, &b[k], "{k}: over RPC {v}, embedded {}", b[k]);
        }
    }
    assert_ne!(rpc["network"], embedded["network"]);

    // the run's network is on the cluster under a name of its own (a second run makes
    // another), with the nodes the summary counts
    let shown = c.depin(&["network", "show", &s(&rpc, "network")]).unwrap();
    assert_eq!(shown["maker_count"], 2, "{shown}");
    assert_eq!(shown["node_count"], 8, "{shown}");
    assert!(c.depin(&["network", "show", "demo"]).is_err());
}

/// A lookup table created over RPC (its addresses waited for by slot), a v0 transaction
/// through it confirmed, and one naming a table that does not exist refused by preflight
/// with the runtime's error.
#[test]
#[ignore = "needs a validator: scripts/rpc-e2e.sh runs it with --ignored"]
fn lookup_table_and_v0_transaction_over_rpc() {
    use depin::transport::{rpc::RpcTransport, Transport};
    let c = cluster();
    let t = RpcTransport::new(&c.url);
    let mint = depin::config::read_keypair(Path::new(&c.mint)).unwrap();
    let to = Keypair::new().pubkey();
    let table = depin::lookup::create(&t, &mint, &mint, &[to]).unwrap();
    let tables = [depin::lookup::table(&t, &table).unwrap()];
    let pay = depin::ix::transfer_lamports(&mint.pubkey(), &to, 7_000_000);
    let tx = depin::lookup::transaction(
        &mint,
        &[],
        std::slice::from_ref(&pay),
        &tables,
        t.latest_blockhash().unwrap(),
    )
    .unwrap();
    let state = depin::lookup::fetch(&t, &table).unwrap();
    assert_eq!(
        (state.addresses, state.authority),
        (vec![to], Some(mint.pubkey()))
    );
    t.send_versioned(&tx).unwrap();
    assert_eq!(
        t.get_account(&to).unwrap().map(|a| a.lamports),
        Some(7_000_000)
    );
    let ghost = solana_message::AddressLookupTableAccount {
        key: Keypair::new().pubkey(),
        addresses: vec![to],
    };
    let tx =
        depin::lookup::transaction(&mint, &[], &[pay], &[ghost], t.latest_blockhash().unwrap())
            .unwrap();
    let e = t.send_versioned(&tx).expect_err("refused");
    assert_eq!(
        e.failure().map(|f| f.error.clone()),
        Some(solana_transaction_error::TransactionError::AddressLookupTableNotFound),
        "{e}"
    );
}

#[test]
#[ignore = "needs a validator: scripts/rpc-e2e.sh runs it with --ignored"]
fn compressed_network_over_rpc() {
    use depin::compressed::{self, ClientTree, TreeShape};
    use depin::registry::{Registration, Registry};
    use depin::transport::{rpc::RpcTransport, Transport};
    use node_registry::state::Capacity;
    let c = cluster();
    let t = RpcTransport::new(&c.url);
    let reg = Registry::new(&t);
    let op = c.authority();
    let (token_mint, credits_mint) = (Keypair::new(), Keypair::new());
    reg.create_mint(
        &op,
        &token_mint,
        &op.pubkey(),
        6,
        &depin::tokens::TOKEN_PROGRAM,
    )
    .unwrap();
    reg.create_credits_mint(&op, &credits_mint, &op.pubkey(), 0)
        .unwrap();
    let name = format!(
        "cmp-{}",
        &token_mint.pubkey().to_string()[..8].to_lowercase()
    );
    let (network, _) = reg
        .create_network(
            &op,
            &token_mint.pubkey(),
            &credits_mint.pubkey(),
            node_registry::CreateNetworkArgs {
                name,
                onboarding_fee_credits: 5,
                location_fee_credits: 5,
                attestation_window_s: 3_600,
            },
        )
        .unwrap();
    let shape = TreeShape {
        depth: 14,
        buffer: 64,
        canopy: 4,
    };
    let tree = Keypair::new();
    let ixs = compressed::create_tree_instructions(
        &op.pubkey(),
        &op.pubkey(),
        &network,
        &tree.pubkey(),
        shape,
    )
    .unwrap();
    reg.send(&ixs, &op, &[&tree]).unwrap();
    let (maker_key, attestation) = (Keypair::new(), Keypair::new());
    let (maker, _) = reg
        .add_maker(
            &op,
            &network,
            node_registry::AddMakerArgs {
                maker_key: maker_key.pubkey(),
                attestation_key: attestation.pubkey(),
                device_cap: None,
            },
        )
        .unwrap();
    let owner = Keypair::new();
    c.fund(&owner.pubkey(), 1_000_000_000);
    let owner_credits = reg
        .mint_to_owner(&op, &op, &credits_mint.pubkey(), &owner.pubkey(), 100)
        .unwrap();
    let credits = depin::ix::CreditsAccounts {
        credits_mint: credits_mint.pubkey(),
        owner_credits,
        token_program: depin::tokens::TOKEN_2022_PROGRAM,
    };
    let table = depin::lookup::create(
        &t,
        &op,
        &op,
        &[
            node_registry::ID,
            network,
            tree.pubkey(),
            credits_mint.pubkey(),
            depin::ix::INSTRUCTIONS_SYSVAR,
            depin::tokens::TOKEN_2022_PROGRAM,
            depin::ix::event_authority(),
            maker,
        ],
    )
    .unwrap();
    let tables = [depin::lookup::table(&t, &table).unwrap()];
    let mut client = ClientTree::new(tree.pubkey(), shape).unwrap();
    let capacity = Capacity::Other { units: 3 };
    let mut devices = vec![];
    for _ in 0..3 {
        let device = Keypair::new();
        let nonce = t.unix_time().unwrap() as u64;
        let r = Registration {
            network,
            maker,
            maker_attestation: depin::attest::sign_maker_attestation(
                &attestation,
                &network,
                &device.pubkey(),
                &capacity,
            ),
            device_consent: depin::attest::sign_device_consent(
                &device,
                &network,
                &owner.pubkey(),
                nonce,
            ),
            nonce,
            capacity,
            owner_credits: Some(owner_credits),
            max_fee_credits: None,
        };
        let ixs = compressed::register_instructions(
            &owner.pubkey(),
            &r,
            &tree.pubkey(),
            credits,
            5,
            client.insertion(&device.pubkey()).unwrap(),
        )
        .unwrap();
        let tx =
            depin::lookup::transaction(&owner, &[], &ixs, &tables, t.latest_blockhash().unwrap())
                .unwrap();
        let out = t.send_versioned(&tx).unwrap();
        // the event came back through getTransaction's inner instructions
        assert_eq!(client.apply_outcome(&out).unwrap(), 1);
        devices.push(device.pubkey());
    }
    let root = || {
        let mut data = t.get_account(&tree.pubkey()).unwrap().unwrap().data;
        node_registry::tree::TreeAccount::load(&mut data, &network)
            .unwrap()
            .root()
            .unwrap()
    };
    assert_eq!(root(), client.tree.root());
    // a transfer (legacy transaction, both sign) and a verification over RPC
    let buyer = Keypair::new();
    let ixn = depin::ix::transfer_compressed_node(
        &owner.pubkey(),
        &buyer.pubkey(),
        &network,
        &tree.pubkey(),
        client.node_proof(&devices[1]).unwrap(),
    );
    let out = reg.send(&[ixn], &owner, &[&buyer]).unwrap();
    assert_eq!(client.apply_outcome(&out).unwrap(), 1);
    assert_eq!(client.node(&devices[1]).unwrap().1.owner, buyer.pubkey());
    assert_eq!(root(), client.tree.root());
    let ixn = depin::ix::verify_node(
        &network,
        &tree.pubkey(),
        client.node_proof(&devices[1]).unwrap(),
    );
    reg.send(&[ixn], &owner, &[]).unwrap();
    // forged fields are refused by name over RPC too
    let mut stale = client.node_proof(&devices[0]).unwrap();
    stale.node.owner = buyer.pubkey();
    let ixn = depin::ix::verify_node(&network, &tree.pubkey(), stale);
    let e = reg.send(&[ixn], &owner, &[]).expect_err("refused");
    assert!(format!("{e:#}").contains("InvalidTreeProof"), "{e:#}");

    // the indexer rebuilds the tree from getSignaturesForAddress and getTransaction (the
    // verifications, one refused, are in the history and carry no events), stores its
    // events, and after a restart reads only what is new
    let dir = tempfile::tempdir().unwrap();
    let store = depin::oracle::store::open(None, dir.path()).unwrap();
    let (ix, r) = depin::indexer::Indexer::open_synced(&t, &network, Some(store.as_ref())).unwrap();
    assert_eq!(r.events_applied, 4);
    // the tree's creation, 3 registrations, the transfer and the verification that landed
    // (the refused one failed preflight and never landed)
    assert_eq!(r.transactions_read, 6);
    assert_eq!(ix.tree.tree.root(), root());
    assert_eq!(ix.nodes(), client.nodes());
    drop(ix);
    let ixn = depin::ix::set_compressed_node_status(
        &op.pubkey(),
        &network,
        &tree.pubkey(),
        node_registry::state::NodeStatus::Suspended,
        client.node_proof(&devices[2]).unwrap(),
    );
    let out = reg.send(&[ixn], &op, &[]).unwrap();
    assert_eq!(client.apply_outcome(&out).unwrap(), 1);
    let mut ix = depin::indexer::Indexer::open(&t, &network).unwrap();
    assert_eq!(ix.load(store.as_ref()).unwrap(), 4);
    let r = ix.sync(&t, Some(store.as_ref())).unwrap();
    // from the last stored event on: the verification after it and the suspension
    assert_eq!((r.transactions_read, r.events_applied), (2, 1));
    assert_eq!(ix.tree.tree.root(), root());
}
