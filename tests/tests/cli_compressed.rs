//! The CLI on a compressed network (issue 13): `network create --compressed` makes the
//! tree account and the lookup table, and every node command works as on a plain network,
//! its leaves and proofs read from an indexer in the process or from `--indexer URL`.
use depin_tests::*;
use serde_json::Value;
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

#[test]
fn node_commands_on_a_compressed_network() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let op = write_key(dir.path(), "op.json", &w.operator);
    let owner = w.owner(10_000);
    let owner_file = write_key(dir.path(), "owner.json", &owner.keypair);
    let other = w.owner(10_000);
    let other_file = write_key(dir.path(), "other.json", &other.keypair);
    let cli = |args: &[&str]| run_cli(&w, args);

    // a shape the program lacks is refused before anything is sent
    let e = cli(&[
        "--keypair",
        &op,
        "network",
        "create",
        "--name",
        "cmp-bad",
        "--token-mint",
        &w.token_mint.to_string(),
        "--credits-mint",
        &w.credits_mint.to_string(),
        "--compressed",
        "--depth",
        "16",
    ])
    .unwrap_err();
    assert!(e.contains("no tree of depth 16"), "{e}");

    let created = cli(&[
        "--keypair",
        &op,
        "network",
        "create",
        "--name",
        "cmp-cli",
        "--token-mint",
        &w.token_mint.to_string(),
        "--credits-mint",
        &w.credits_mint.to_string(),
        "--onboarding-fee",
        "100",
        "--location-fee",
        "10",
        "--compressed",
        "--depth",
        "14",
        "--canopy",
        "4",
    ])
    .unwrap();
    let tree = s(&created, "tree");
    let table = s(&created, "lookup_table");
    assert_eq!(created["proof_bytes"], 320);
    assert_eq!(
        created["tree_account_bytes"],
        node_registry::tree::account_len(14, 64, 4).unwrap()
    );
    let shown = cli(&["network", "show", "cmp-cli"]).unwrap();
    assert_eq!(s(&shown, "compressed_tree"), tree);

    let maker = w.device();
    let maker_file = write_key(dir.path(), "maker.json", &maker);
    // the maker goes into the registrations' lookup table too
    cli(&[
        "--keypair",
        &op,
        "maker",
        "add",
        "--network",
        "cmp-cli",
        "--maker-key",
        &maker.pubkey().to_string(),
        "--lookup-table",
        &table,
    ])
    .unwrap();
    let held = depin::lookup::fetch(&w.net, &table.parse().unwrap())
        .unwrap()
        .addresses;
    assert_eq!(held.len(), 8);
    assert_eq!(
        held[7],
        depin::pda::maker(&depin::pda::network("cmp-cli").0, &maker.pubkey()).0
    );

    let register = |device: &Keypair, with_table: bool| {
        let device_file = write_key(dir.path(), &format!("{}.json", device.pubkey()), device);
        let mut args = vec![
            "--keypair".to_string(),
            owner_file.clone(),
            "node".into(),
            "register".into(),
            "--network".into(),
            "cmp-cli".into(),
            "--maker-key".into(),
            maker.pubkey().to_string(),
            "--maker-keypair".into(),
            maker_file.clone(),
            "--device-keypair".into(),
            device_file,
            "--class".into(),
            "gpu".into(),
            "--capacity".into(),
            "gpus=1,vram=24,tflops=165".into(),
        ];
        if with_table {
            args.extend(["--lookup-table".into(), table.clone()]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run_cli(&w, &refs)
    };
    let devices: Vec<Keypair> = (0..3).map(|_| w.device()).collect();
    let e = register(&devices[0], false).unwrap_err();
    assert!(e.contains("--lookup-table"), "{e}");
    let credits_before = w.credits_of(&owner);
    for (i, d) in devices.iter().enumerate() {
        let r = register(d, true).unwrap();
        assert_eq!(r["leaf_index"], i as u64 + 1);
        // 10 siblings below the canopy, the production shape's size class
        let bytes = r["bytes"].as_u64().unwrap();
        eprintln!("compressed registration through the CLI: {bytes} bytes");
        assert!(bytes <= 1_232, "{r}");
    }
    assert_eq!(w.credits_of(&owner), credits_before - 300);
    let e = register(&devices[0], true).unwrap_err();
    assert!(e.contains("already registered"), "{e}");

    let dk: Vec<String> = devices.iter().map(|d| d.pubkey().to_string()).collect();
    let shown = cli(&["node", "show", "--network", "cmp-cli", &dk[0]]).unwrap();
    assert_eq!(s(&shown, "owner"), owner.pubkey().to_string());
    assert_eq!(s(&shown, "tree"), tree);
    assert_eq!(shown["index"], 1);
    let listed = cli(&["node", "list", "--network", "cmp-cli"]).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3);

    // location (fee burned), status (authority), transfer (both sign), decommission
    cli(&[
        "--keypair",
        &owner_file,
        "node",
        "assert-location",
        "--network",
        "cmp-cli",
        &dk[0],
        "8928308280fffff",
    ])
    .unwrap();
    assert_eq!(w.credits_of(&owner), credits_before - 310);
    let e = cli(&[
        "--keypair",
        &owner_file,
        "node",
        "set-status",
        "--network",
        "cmp-cli",
        &dk[1],
        "suspended",
    ])
    .unwrap_err();
    assert!(e.contains("neither the network authority"), "{e}");
    cli(&[
        "--keypair",
        &op,
        "node",
        "set-status",
        "--network",
        "cmp-cli",
        &dk[1],
        "suspended",
    ])
    .unwrap();
    // the recipient's signature is needed: without it, the command names who must sign
    let e = cli(&[
        "--keypair",
        &owner_file,
        "node",
        "transfer",
        "--network",
        "cmp-cli",
        &dk[2],
        "--to",
        &other.pubkey().to_string(),
    ])
    .unwrap_err();
    assert!(e.contains(&other.pubkey().to_string()), "{e}");
    cli(&[
        "--keypair",
        &owner_file,
        "node",
        "transfer",
        "--network",
        "cmp-cli",
        &dk[2],
        "--to",
        &other.pubkey().to_string(),
        "--recipient-keypair",
        &other_file,
    ])
    .unwrap();
    let e = cli(&[
        "--keypair",
        &owner_file,
        "node",
        "decommission",
        "--network",
        "cmp-cli",
        &dk[2],
    ])
    .unwrap_err();
    assert!(e.contains("not by"), "the old owner no longer owns it: {e}");
    cli(&[
        "--keypair",
        &other_file,
        "node",
        "decommission",
        "--network",
        "cmp-cli",
        &dk[2],
    ])
    .unwrap();
    let e = cli(&[
        "--keypair",
        &owner_file,
        "node",
        "accept-transfer",
        "--network",
        "cmp-cli",
        &dk[0],
    ])
    .unwrap_err();
    assert!(e.contains("compressed"), "{e}");

    let mine = cli(&[
        "node",
        "list",
        "--network",
        "cmp-cli",
        "--owner",
        &owner.pubkey().to_string(),
    ])
    .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 2);
    let shown = |k: &str| cli(&["node", "show", "--network", "cmp-cli", k]).unwrap();
    assert_eq!(s(&shown(&dk[0]), "location"), "8928308280fffff");
    assert_eq!(s(&shown(&dk[1]), "status"), "suspended");
    assert_eq!(shown(&dk[2])["decommissioned"], true);

    // `depin index --once`: the same tree, its root equal to the account's
    let summary = cli(&["index", "--network", "cmp-cli", "--once"]).unwrap();
    assert_eq!(summary["nodes"], 3);
    assert_eq!(summary["sync"]["events_applied"], 3 + 4);
    let mut data = w.account(&tree.parse().unwrap()).unwrap().data;
    let network = depin::pda::network("cmp-cli").0;
    let root = node_registry::tree::TreeAccount::load(&mut data, &network)
        .unwrap()
        .root()
        .unwrap();
    assert_eq!(s(&summary, "root"), depin::rewards::to_hex(&root));

    // `--indexer URL`: the same commands read an indexer over HTTP
    let (ix, _) = depin::indexer::Indexer::open_synced(&w.net, &network, None).unwrap();
    let (url, shared) = depin_tests::compressed::serve_indexer(ix);
    let over_http = cli(&[
        "--indexer",
        &url,
        "node",
        "show",
        "--network",
        "cmp-cli",
        &dk[0],
    ])
    .unwrap();
    assert_eq!(over_http, shown(&dk[0]));
    cli(&[
        "--indexer",
        &url,
        "--keypair",
        &op,
        "node",
        "set-status",
        "--network",
        "cmp-cli",
        &dk[1],
        "active",
    ])
    .unwrap();
    shared.write().unwrap().sync(&w.net, None).unwrap();
    assert_eq!(s(&shown(&dk[1]), "status"), "active");
}
