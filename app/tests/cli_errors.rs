//! The `depin` binary's errors: one line on stderr, non-zero exit, the URL named; a closed
//! stdout (`| head`) ends quietly with exit 0.

fn depin(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_depin"))
        .args(args)
        .output()
        .expect("run the depin binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_binary_exits_nonzero_with_one_line_and_quietly_on_a_closed_pipe() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let (rc, _, err) = depin(&["--url", &url, "network", "show", "demo"]);
    let addr = depin::pda::network("demo").0;
    assert_eq!(rc, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "error: reading account {addr}: cannot reach {url}: "
        )),
        "{err}"
    );
    assert!(err.to_lowercase().contains("connection refused"), "{err}");
    let (rc, _, err) = depin(&["--url", "devnett", "network", "show", "demo"]);
    assert_eq!((rc, err.lines().count()), (1, 1), "{err}");
    assert!(
        err.starts_with("error: `devnett` is not a cluster"),
        "{err}"
    );

    // `depin … | head -0`: the reader is gone before the output is written
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_depin"))
        .args(["--output", "json", "oracle", "bench", "--receipts", "200"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn json_compact_is_one_line() {
    let (rc, out, _) = depin(&[
        "--output",
        "json-compact",
        "oracle",
        "bench",
        "--receipts",
        "100",
    ]);
    assert_eq!(rc, 0);
    assert_eq!(out.lines().count(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["receipts"], 100);
}

/// The paths added with offline signing (sending commands, `--dry-run`, `--sign-only`
/// fetching a blockhash, durable nonces, credits and oracles lookups) report an unreachable
/// RPC the same way: one line naming the URL, exit 1, nothing on stdout.
#[test]
fn every_path_to_the_cluster_names_an_unreachable_url() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("op.json");
    depin::config::write_keypair(&solana_keypair::Keypair::new_from_array([7; 32]), &key).unwrap();
    let key = key.to_str().unwrap();
    let other = solana_keypair::Keypair::new_from_array([8; 32]);
    let other = solana_signer::Signer::pubkey(&other).to_string();
    let maker_add = ["maker", "add", "--network", "demo", "--maker-key", &other];
    let cases: Vec<Vec<&str>> = vec![
        maker_add.to_vec(),
        [&["--dry-run"][..], &maker_add].concat(),
        [&["--sign-only"][..], &maker_add].concat(),
        [&["--sign-only", "--nonce", &other][..], &maker_add].concat(),
        vec!["nonce", "show", &other],
        vec!["nonce", "create", key],
        vec!["node", "list", "--network", "demo"],
        vec!["credits", "show", "demo"],
        vec!["oracles", "show", "demo"],
        vec!["emissions", "show", "demo"],
    ];
    for args in cases {
        let all = [&["--url", &url, "-k", key][..], &args].concat();
        let (rc, out, err) = depin(&all);
        assert_eq!(rc, 1, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(
            err.contains(&format!("cannot reach {url}: ")),
            "{args:?}: {err}"
        );
        assert!(
            err.to_lowercase().contains("connection refused"),
            "{args:?}: {err}"
        );
    }
}
