//! `depin oracles`, `depin report`, `depin emissions` and `depin rewards`, driven through the
//! CLI's parser against an embedded network: two epochs from work files to owners' tokens,
//! one by accumulated approvals, one disputed, voided and reported again, with a wallet
//! signing a claim offline.
use depin::emissions as em;
use depin_tests::*;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::{Path, PathBuf};

const EPOCH_S: i64 = 60;
const CHALLENGE_S: i64 = 30;

fn write_key(dir: &Path, name: &str, k: &Keypair) -> String {
    let p = dir.join(name);
    depin::config::write_keypair(k, &p).unwrap();
    p.to_str().unwrap().to_string()
}

fn depin(w: &World, args: &[&str]) -> Result<Value, String> {
    run_cli(w, args)
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

#[test]
fn two_epochs_from_work_files_to_claims() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let authority = write_key(d, "authority.json", &w.operator);
    let oracles: Vec<Keypair> = (0..3).map(|_| w.device()).collect();
    for o in &oracles {
        w.fund(&o.pubkey(), 1_000_000_000);
    }
    let of: Vec<String> = oracles
        .iter()
        .enumerate()
        .map(|(i, k)| write_key(d, &format!("oracle{i}.json"), k))
        .collect();
    let net = w.network.to_string();
    let genesis = (w.now() as i64 - 10 * EPOCH_S).to_string();
    let keys: Vec<String> = oracles.iter().map(|k| k.pubkey().to_string()).collect();

    // oracle set: only the network authority may create it
    let init = |signer: &str| {
        depin(
            &w,
            &[
                "--keypair",
                signer,
                "oracles",
                "init",
                &net,
                "--oracle",
                &keys[0],
                "--oracle",
                &keys[1],
                "--oracle",
                &keys[2],
                "--threshold",
                "2",
                "--genesis",
                &genesis,
                "--epoch-length",
                "60",
                "--challenge-period",
                "30",
            ],
        )
    };
    let err = init(&of[0]).unwrap_err();
    assert!(err.contains("NotNetworkAuthority"), "{err}");
    init(&authority).unwrap();
    let set = depin(&w, &["oracles", "show", &net]).unwrap();
    assert_eq!(set["threshold"], 2);
    assert_eq!(set["oracles"], json!(keys));
    let version = set["version"].as_u64().unwrap();
    // a partial change keeps the members
    depin(
        &w,
        &[
            "--keypair",
            &authority,
            "oracles",
            "set",
            &net,
            "--challenge-period",
            "30",
        ],
    )
    .unwrap();
    let set = depin(&w, &["oracles", "show", &net]).unwrap();
    assert_eq!(set["oracles"], json!(keys));
    assert_eq!(set["version"], version + 1);

    // reward mint under the emissions PDA, share accounts, schedule
    let mint = Keypair::new();
    let token = depin::tokens::TOKEN_PROGRAM;
    w.reg()
        .create_mint(
            &w.operator,
            &mint,
            &em::authority_address(&w.network),
            6,
            &token,
        )
        .unwrap();
    let mut shares = vec![];
    for _ in 0..2 {
        let holder = Keypair::new();
        let ix = depin::tokens::create_associated_account(
            &w.operator.pubkey(),
            &holder.pubkey(),
            &mint.pubkey(),
            &token,
        );
        w.send(&[ix], &w.operator, &[]).unwrap();
        shares.push(
            depin::pda::associated_token(&holder.pubkey(), &mint.pubkey(), &token).to_string(),
        );
    }
    let mint_s = mint.pubkey().to_string();
    depin(
        &w,
        &[
            "--keypair",
            &authority,
            "emissions",
            "init",
            &net,
            "--reward-mint",
            &mint_s,
            "--oracle-rewards",
            &shares[0],
            "--treasury",
            &shares[1],
            "--initial-per-epoch",
            "1000000",
            "--halving-interval",
            "4",
            "--max-supply",
            "100000000",
        ],
    )
    .unwrap();
    let sched = depin(&w, &["emissions", "show", &net]).unwrap();
    assert_eq!(sched["next_epoch"], 0);
    assert_eq!(sched["operators_bps"], 8_000);
    assert_eq!(
        sched["mint_authority"],
        em::authority_address(&w.network).to_string()
    );

    // two nodes of one owner, and their work in epoch 0
    let owner = w.owner(10 * ONBOARDING_FEE);
    let owner_file = write_key(d, "owner.json", &owner.keypair);
    let (dev_a, node_a) = w.register(&owner);
    let (_dev_b, node_b) = w.register(&owner);
    let work0 = d.join("work0.json");
    std::fs::write(
        &work0,
        json!({ node_a.to_string(): 3, node_b.to_string(): 1 }).to_string(),
    )
    .unwrap();
    let e0 = d.join("e0.json");
    let computed = depin(
        &w,
        &[
            "rewards",
            "compute",
            &net,
            "--epoch",
            "0",
            "--work",
            &path(&work0),
            "--out",
            &path(&e0),
        ],
    )
    .unwrap();
    assert_eq!(computed["operators_amount"], 800_000);
    assert_eq!(computed["node_count"], 2);
    let root0 = computed["root"].as_str().unwrap().to_string();

    // epoch 0 by accumulated approvals
    depin(
        &w,
        &[
            "--keypair",
            &of[0],
            "report",
            "submit",
            &net,
            "--epoch",
            "0",
            "--rewards",
            &path(&e0),
        ],
    )
    .unwrap();
    let shown = depin(&w, &["report", "show", &net, "--epoch", "0"]).unwrap();
    assert_eq!(shown["status"], "Pending");
    assert_eq!(shown["approval_count"], 1);
    assert_eq!(shown["root"], root0.as_str());
    assert_eq!(shown["approved_by"], json!([keys[0]]));
    let other_root = "11".repeat(32);
    let err = depin(
        &w,
        &[
            "--keypair",
            &of[1],
            "report",
            "approve",
            &net,
            "--epoch",
            "0",
            "--root",
            &other_root,
        ],
    )
    .unwrap_err();
    assert!(err.contains("RootMismatch"), "{err}");
    depin(
        &w,
        &[
            "--keypair",
            &of[1],
            "report",
            "approve",
            &net,
            "--epoch",
            "0",
            "--rewards",
            &path(&e0),
        ],
    )
    .unwrap();
    let err = depin(
        &w,
        &[
            "--keypair",
            &of[2],
            "report",
            "finalize",
            &net,
            "--epoch",
            "0",
        ],
    )
    .unwrap_err();
    assert!(err.contains("ChallengePeriodActive"), "{err}");
    let err = depin(
        &w,
        &["--keypair", &of[2], "emissions", "finalize-epoch", &net],
    )
    .unwrap_err();
    assert!(err.contains("ReportNotFinal"), "{err}");
    w.net.advance_time(CHALLENGE_S).unwrap();
    depin(
        &w,
        &[
            "--keypair",
            &of[2],
            "report",
            "finalize",
            &net,
            "--epoch",
            "0",
        ],
    )
    .unwrap();
    let fin = depin(
        &w,
        &["--keypair", &of[2], "emissions", "finalize-epoch", &net],
    )
    .unwrap();
    assert_eq!(fin["epoch"], 0);
    let sched = depin(&w, &["emissions", "show", &net]).unwrap();
    assert_eq!(sched["epochs_finalized"], 1);
    assert_eq!(sched["recent_roots"][0]["root"], root0.as_str());

    let dev_a_s = dev_a.pubkey().to_string();
    let show = depin(
        &w,
        &["rewards", "show", &net, &dev_a_s, "--rewards", &path(&e0)],
    )
    .unwrap();
    assert_eq!(show["claimed"], 0);
    assert_eq!(show["claimable"], 600_000);

    // the owner's wallet signs the claim for both nodes offline
    let owner_s = owner.pubkey().to_string();
    let built = depin(
        &w,
        &[
            "rewards",
            "claim",
            &net,
            "--all-nodes-of",
            &owner_s,
            "--rewards",
            &path(&e0),
            "--sign-only",
            "--keypair",
            &owner_s,
        ],
    )
    .unwrap();
    assert_eq!(built["claims"].as_array().unwrap().len(), 2);
    assert_eq!(built["amount"], 800_000);
    let txs = built["transactions"].as_array().unwrap();
    assert_eq!(
        txs.len(),
        1,
        "two claims and the account creation fit one packet"
    );
    assert_eq!(txs[0]["missing_signers"], json!([owner_s]));
    assert!(txs[0]["bytes"].as_u64().unwrap() <= 1232);
    let signed = depin(
        &w,
        &[
            "--keypair",
            &owner_file,
            "tx",
            "sign",
            txs[0]["transaction"].as_str().unwrap(),
        ],
    )
    .unwrap();
    depin(&w, &["tx", "send", signed["transaction"].as_str().unwrap()]).unwrap();
    let ata = depin::pda::associated_token(&owner.pubkey(), &mint.pubkey(), &token);
    assert_eq!(w.reg().token_balance(&ata).unwrap(), 800_000);
    let err = depin(
        &w,
        &[
            "--keypair",
            &of[2],
            "rewards",
            "claim",
            &net,
            &dev_a_s,
            "--rewards",
            &path(&e0),
        ],
    )
    .unwrap_err();
    assert!(err.contains("nothing new to claim"), "{err}");

    // epoch 1: only node A works; a wrong report is disputed and voided, then resubmitted
    let work1 = d.join("work1.json");
    std::fs::write(&work1, json!({ node_a.to_string(): 5 }).to_string()).unwrap();
    let e1 = d.join("e1.json");
    let bad_root = "22".repeat(32);
    depin(
        &w,
        &[
            "--keypair",
            &of[2],
            "report",
            "submit",
            &net,
            "--epoch",
            "1",
            "--root",
            &bad_root,
            "--total-work",
            "5",
            "--node-count",
            "2",
        ],
    )
    .unwrap();
    let err = depin(
        &w,
        &[
            "--keypair",
            &owner_file,
            "report",
            "dispute",
            &net,
            "--epoch",
            "1",
        ],
    )
    .unwrap_err();
    assert!(err.contains("NotDisputeAuthority"), "{err}");
    depin(
        &w,
        &[
            "--keypair",
            &of[0],
            "report",
            "dispute",
            &net,
            "--epoch",
            "1",
        ],
    )
    .unwrap();
    assert_eq!(
        depin(&w, &["report", "show", &net, "--epoch", "1"]).unwrap()["status"],
        "Disputed"
    );
    depin(
        &w,
        &[
            "--keypair",
            &authority,
            "report",
            "void",
            &net,
            "--epoch",
            "1",
        ],
    )
    .unwrap();
    depin(
        &w,
        &[
            "rewards",
            "compute",
            &net,
            "--epoch",
            "1",
            "--work",
            &path(&work1),
            "--previous",
            &path(&e0),
            "--out",
            &path(&e1),
        ],
    )
    .unwrap();
    let resubmitted = depin(
        &w,
        &[
            "--keypair",
            &of[0],
            "report",
            "submit",
            &net,
            "--epoch",
            "1",
            "--rewards",
            &path(&e1),
            "--cosigner",
            &of[1],
        ],
    )
    .unwrap();
    assert_eq!(resubmitted["round"], 1);
    assert_eq!(resubmitted["signatures"], 2);
    let shown = depin(&w, &["report", "show", &net, "--epoch", "1"]).unwrap();
    assert_eq!(shown["status"], "Pending");
    assert_eq!(shown["round"], 1);
    assert_eq!(shown["approval_count"], 2);
    w.net.advance_time(CHALLENGE_S).unwrap();
    depin(
        &w,
        &[
            "--keypair",
            &of[2],
            "report",
            "finalize",
            &net,
            "--epoch",
            "1",
        ],
    )
    .unwrap();
    depin(
        &w,
        &[
            "--keypair",
            &of[2],
            "emissions",
            "finalize-epoch",
            &net,
            "--epoch",
            "1",
        ],
    )
    .unwrap();

    // a crank (oracle 2 pays) claims node A's epoch-1 share for the owner
    let before = w.reg().token_balance(&ata).unwrap();
    // node B is suspended: its (already claimed) rewards would wait; the crank skips it
    w.reg()
        .set_node_status(
            &w.operator,
            &w.network,
            &node_b,
            node_registry::state::NodeStatus::Suspended,
        )
        .unwrap();
    let claimed = depin(
        &w,
        &[
            "--keypair",
            &of[2],
            "rewards",
            "claim",
            &net,
            "--all-nodes-of",
            &owner_s,
            "--rewards",
            &path(&e1),
        ],
    )
    .unwrap();
    assert_eq!(claimed["amount"], 800_000);
    assert_eq!(claimed["claims"], json!([node_a.to_string()]));
    assert_eq!(claimed["skipped"][0]["node"], node_b.to_string());
    assert!(claimed["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .starts_with("suspended"));
    assert_eq!(w.reg().token_balance(&ata).unwrap(), before + 800_000);
    let show = depin(
        &w,
        &["rewards", "show", &net, &dev_a_s, "--rewards", &path(&e1)],
    )
    .unwrap();
    assert_eq!(show["claimed"], 1_400_000);
    assert_eq!(show["claimable"], 0);
    assert_eq!(show["last_claim_epoch"], 1);
}

#[test]
fn bad_reward_inputs_are_reported() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let net = w.network.to_string();
    // no schedule yet
    let work = dir.path().join("work.json");
    std::fs::write(&work, "{\"not-a-key\": 1}").unwrap();
    let out: PathBuf = dir.path().join("e.json");
    let err = depin(
        &w,
        &[
            "rewards",
            "compute",
            &net,
            "--epoch",
            "0",
            "--work",
            &path(&work),
            "--out",
            &path(&out),
        ],
    )
    .unwrap_err();
    assert!(err.contains("not a node address"), "{err}");
    std::fs::write(&work, "[1,2]").unwrap();
    let err = depin(
        &w,
        &[
            "rewards",
            "compute",
            &net,
            "--epoch",
            "0",
            "--work",
            &path(&work),
            "--out",
            &path(&out),
        ],
    )
    .unwrap_err();
    assert!(err.contains("not a JSON object"), "{err}");
    std::fs::write(&work, json!({ w.network.to_string(): 1 }).to_string()).unwrap();
    let err = depin(
        &w,
        &[
            "rewards",
            "compute",
            &net,
            "--epoch",
            "0",
            "--work",
            &path(&work),
            "--out",
            &path(&out),
        ],
    )
    .unwrap_err();
    assert!(err.contains("emission schedule"), "{err}");
    let err = depin(
        &w,
        &["report", "approve", &net, "--epoch", "0", "--root", "abc"],
    )
    .unwrap_err();
    assert!(err.contains("32-byte hex"), "{err}");
    let err = depin(&w, &["oracles", "show", &net]).unwrap_err();
    assert!(err.contains("oracle set"), "{err}");
    let err = depin(&w, &["report", "submit", &net, "--epoch", "0"]).unwrap_err();
    assert!(err.contains("--rewards"), "{err}");
}
