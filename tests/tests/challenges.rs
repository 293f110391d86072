//! Unpredictable challenges (issue 14), natively and on the SBF files: `open_challenges`
//! records an epoch's seed from the newest `SlotHashes` entry once the epoch has begun,
//! once; every device's challenges derive from it (depin_core::sectors), so an answer
//! prepared before the seed existed fails.
use depin::transport::Transport;
use depin::verifier::{self as v, Verifier};
use depin_core::sectors::{self, storage, Sector};
use depin_core::sha256::Soft;
use depin_tests::*;
use proof_verifier::ProofError as P;
use solana_keypair::Keypair;
use solana_signer::Signer;

const EPOCH_S: u32 = 3_600;

fn pcode(e: P) -> u32 {
    u32::from(e)
}

/// A world whose oracle set's clock is in epoch 10.
fn world() -> World {
    let w = World::new();
    w.init_oracle_set_in_epoch(10, EPOCH_S);
    w
}

/// The newest `(slot, hash)` of the SlotHashes sysvar now.
fn newest_slot_hash(w: &World) -> (u64, [u8; 32]) {
    let data = w.account(&proof_verifier::SLOT_HASHES_ID).unwrap().data;
    proof_verifier::newest_slot_hash(&data).unwrap()
}

/// The hash SlotHashes holds for `slot`.
fn hash_of(w: &World, slot: u64) -> Option<[u8; 32]> {
    let data = w.account(&proof_verifier::SLOT_HASHES_ID).unwrap().data;
    let n = u64::from_le_bytes(data[..8].try_into().unwrap()) as usize;
    (0..n).find_map(|i| {
        let at = 8 + i * 40;
        let s = u64::from_le_bytes(data[at..at + 8].try_into().unwrap());
        (s == slot).then(|| data[at + 8..at + 40].try_into().unwrap())
    })
}

#[test]
fn the_seed_comes_from_a_slot_hash_after_the_epoch_began() {
    let w = world();
    let payer = w.device();
    w.fund(&payer.pubkey(), 1_000_000_000);
    let challenges = v::challenges_address(&w.network, 10);
    let watch = [challenges, payer.pubkey()];
    let open = |epoch: u64| Verifier::new(&w.net).open_challenges(&payer, &w.network, epoch);

    // a future epoch cannot be opened, nor one that is over
    w.assert_refused(&watch, &[payer.pubkey()], pcode(P::EpochNotStarted), || {
        open(11)
    });
    let past = [v::challenges_address(&w.network, 9), payer.pubkey()];
    w.assert_refused(&past, &[payer.pubkey()], pcode(P::EpochOver), || open(9));

    let before = w.net.slot().unwrap();
    let out = open(10).unwrap();
    let c = v::challenges(&w.net, &w.network, 10).unwrap().unwrap();
    assert_eq!((c.network, c.epoch), (w.network, 10));
    assert!(
        c.slot <= before,
        "a slot the chain had hashed when it opened"
    );
    assert_eq!(
        hash_of(&w, c.slot),
        Some(c.slot_hash),
        "the sysvar's hash of that slot"
    );
    assert_eq!(
        c.seed,
        sectors::epoch_seed::<Soft>(&w.network.to_bytes(), 10, c.slot, &c.slot_hash)
    );
    assert!(
        out.logs.iter().any(|l| l.starts_with("Program data: ")),
        "ChallengesOpened is emitted"
    );

    // once per epoch: a second opening (another payer, later slot) fails, the seed stays
    w.net.advance_slot().unwrap();
    // the account cannot be created again (the system program refuses; the error it
    // gives differs between the native and the SBF runtime), and nothing changes
    let before = w.snapshot(&[challenges]);
    let again = Verifier::new(&w.net).open_challenges(&w.operator, &w.network, 10);
    assert!(again.is_err(), "a second opening must fail");
    assert_eq!(w.snapshot(&[challenges]), before);
    assert_eq!(
        v::challenges(&w.net, &w.network, 10).unwrap().unwrap().seed,
        c.seed
    );
}

#[test]
fn only_the_sysvar_and_the_networks_own_accounts() {
    let w = world();
    let other = w.create_network("other-net").unwrap();
    // the Clock sysvar in place of SlotHashes
    let mut ixn = v::open_challenges(&w.operator.pubkey(), &w.network, 10);
    ixn.accounts[4].pubkey = anchor_lang::pubkey!("SysvarC1ock11111111111111111111111111111111");
    let watch = [v::challenges_address(&w.network, 10)];
    w.assert_refused(
        &watch,
        &[],
        anchor(anchor_lang::error::ErrorCode::ConstraintAddress),
        || w.send(std::slice::from_ref(&ixn), &w.operator, &[]),
    );
    // another network's challenge address, or an oracle set that is not this network's
    let mut ixn = v::open_challenges(&w.operator.pubkey(), &w.network, 10);
    ixn.accounts[3].pubkey = v::challenges_address(&other, 10);
    w.assert_refused(
        &watch,
        &[],
        anchor(anchor_lang::error::ErrorCode::ConstraintSeeds),
        || w.send(std::slice::from_ref(&ixn), &w.operator, &[]),
    );
    let ixn = v::open_challenges(&w.operator.pubkey(), &other, 10);
    w.assert_refused(
        &[v::challenges_address(&other, 10)],
        &[],
        anchor(anchor_lang::error::ErrorCode::AccountNotInitialized),
        || w.send(std::slice::from_ref(&ixn), &w.operator, &[]),
    );
}

#[test]
fn an_answer_prepared_before_the_seed_existed_fails() {
    let w = world();
    // a storage node's data and tree
    let data: Vec<u8> = (0..64 * 1024u32).map(|i| (i * 7 % 251) as u8).collect();
    let tree = storage::StorageTree::new::<Soft>(&data, 1_024).unwrap();
    let chunks = storage::chunk_count(data.len() as u64, 1_024);
    let device = Keypair::new().pubkey().to_bytes();
    let answer = |seed: &[u8; 32]| -> Vec<(u64, [u8; 32], Vec<[u8; 32]>)> {
        (0..4)
            .map(|i| {
                let idx = storage::challenged_chunk::<Soft>(seed, &device, chunks, i);
                let start = idx as usize * 1_024;
                let leaf = storage::chunk_leaf::<Soft>(&data[start..start + 1_024]);
                (idx, leaf, tree.proof(idx).unwrap())
            })
            .collect()
    };
    // the node guesses the seed from the newest slot hash it can see, and answers ahead
    let (slot, hash) = newest_slot_hash(&w);
    let guess = sectors::epoch_seed::<Soft>(&w.network.to_bytes(), 10, slot, &hash);
    let early = answer(&guess);
    // the chain moves on; the epoch opens on a slot hash that did not exist then
    w.net.advance_slot().unwrap();
    w.net.advance_slot().unwrap();
    Verifier::new(&w.net)
        .open_challenges(&w.operator, &w.network, 10)
        .unwrap();
    let seed = v::challenges(&w.net, &w.network, 10).unwrap().unwrap().seed;
    assert_ne!(seed, guess);
    // what the verifier asks for: the chunks the real seed names
    let asked: Vec<u64> = (0..4)
        .map(|i| storage::challenged_chunk::<Soft>(&seed, &device, chunks, i))
        .collect();
    let early_hits = early
        .iter()
        .zip(&asked)
        .filter(|((idx, leaf, proof), want)| {
            storage::verify_path::<Soft>(&tree.root(), leaf, **want, proof, tree.depth())
                && idx == *want
        })
        .count();
    assert!(
        early_hits < 4,
        "an early answer does not answer the real challenge"
    );
    // the honest answer made after the seed passes every challenge
    for ((idx, leaf, proof), want) in answer(&seed).iter().zip(&asked) {
        assert_eq!(idx, want);
        assert!(storage::verify_path::<Soft>(
            &tree.root(),
            leaf,
            *want,
            proof,
            tree.depth()
        ));
    }
    // and another sector's challenge of the same device differs
    assert_ne!(
        sectors::device_challenge::<Soft>(&seed, &device, Sector::Storage, 0),
        sectors::device_challenge::<Soft>(&seed, &device, Sector::Compute, 0)
    );
}

#[test]
fn the_cli_opens_and_shows_challenges() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let op = dir.path().join("op.json");
    depin::config::write_keypair(&w.operator, &op).unwrap();
    let net = w.network.to_string();
    let opened = run_cli(
        &w,
        &[
            "--keypair",
            op.to_str().unwrap(),
            "report",
            "open-challenges",
            &net,
        ],
    )
    .unwrap();
    assert_eq!(opened["epoch"], 10, "the current epoch by default");
    let shown = run_cli(&w, &["report", "challenges", &net, "--epoch", "10"]).unwrap();
    let c = v::challenges(&w.net, &w.network, 10).unwrap().unwrap();
    assert_eq!(shown["seed"], depin::rewards::to_hex(&c.seed));
    assert_eq!(shown["slot"], c.slot);
    let e = run_cli(
        &w,
        &[
            "--keypair",
            op.to_str().unwrap(),
            "report",
            "open-challenges",
            &net,
        ],
    )
    .unwrap_err();
    assert!(e.contains("open already"), "{e}");
    let e = run_cli(&w, &["report", "challenges", &net, "--epoch", "11"]).unwrap_err();
    assert!(e.contains("not open"), "{e}");
}
