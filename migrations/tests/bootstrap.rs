//! The bootstrap creates a network from a TOML file and is safe to run again.
use depin::transport::embedded::EmbeddedNetwork;
use depin::Pubkey;
use depin_migrations::{bootstrap, load};
use solana_keypair::Keypair;
use solana_signer::Signer;

fn write(dir: &std::path::Path, body: &str) -> depin_migrations::NetworkConfig {
    let p = dir.join("network.toml");
    std::fs::write(&p, body).unwrap();
    load(&p).unwrap()
}

#[test]
fn creates_then_changes_nothing_then_aligns() {
    let net = EmbeddedNetwork::start().unwrap();
    let authority = net.payer();
    let dir = tempfile::tempdir().unwrap();
    // fixed keys: PDA bump searches, and so compute units in SBF mode, repeat run to run
    let maker = Keypair::new_from_array([0x11; 32]).pubkey();
    let attest = Keypair::new_from_array([0x22; 32]).pubkey();
    let body = format!(
        "name = \"boot-net\"\nonboarding_fee_credits = 400\nlocation_fee_credits = 100\n\n[[makers]]\nmaker_key = \"{maker}\"\nattestation_key = \"{attest}\"\ndevice_cap = 10\n"
    );
    let cfg = write(dir.path(), &body);

    let first = bootstrap(&net, &authority, &cfg).unwrap();
    assert_eq!(first.actions.len(), 4, "{:?}", first.actions); // 2 mints, network, maker
    let network: Pubkey = first.network.parse().unwrap();
    let n = depin::accounts::network(&net, &network).unwrap();
    assert_eq!(
        (
            n.onboarding_fee_credits,
            n.location_fee_credits,
            n.maker_count
        ),
        (400, 100, 1)
    );

    let second = bootstrap(&net, &authority, &cfg).unwrap();
    assert!(
        second.actions.is_empty(),
        "second run did {:?}",
        second.actions
    );

    let changed = write(
        dir.path(),
        &body
            .replace("= 400", "= 500")
            .replace("device_cap = 10", "device_cap = 20"),
    );
    let third = bootstrap(&net, &authority, &changed).unwrap();
    assert_eq!(third.actions.len(), 2, "{:?}", third.actions);
    let n = depin::accounts::network(&net, &network).unwrap();
    assert_eq!(n.onboarding_fee_credits, 500);
    let m = depin::accounts::maker(&net, &depin::pda::maker(&network, &maker).0).unwrap();
    assert_eq!((m.attestation_key, m.device_cap), (attest, Some(20)));
    assert!(bootstrap(&net, &authority, &changed)
        .unwrap()
        .actions
        .is_empty());
}

#[test]
fn refuses_to_change_mints_and_bad_files() {
    let net = EmbeddedNetwork::start().unwrap();
    let authority = net.payer();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "name = \"mint-net\"\n");
    bootstrap(&net, &authority, &cfg).unwrap();
    let other = Pubkey::new_unique();
    let cfg = write(
        dir.path(),
        &format!("name = \"mint-net\"\ncredits_mint = \"{other}\"\n"),
    );
    let err = bootstrap(&net, &authority, &cfg).unwrap_err();
    assert!(
        format!("{err:#}").contains("mints cannot change"),
        "{err:#}"
    );

    let p = dir.path().join("bad.toml");
    std::fs::write(&p, "name = \"x\"\nunknown_field = 1\n").unwrap();
    assert!(load(&p).is_err());
    std::fs::write(&p, "name = \"x\"\n[[makers]]\nmaker_key = \"not-a-key\"\n").unwrap();
    let cfg = load(&p).unwrap();
    let err = bootstrap(&net, &authority, &cfg).unwrap_err();
    assert!(format!("{err:#}").contains("not a public key"), "{err:#}");
}

#[test]
fn refuses_to_adopt_a_network_someone_else_controls() {
    let net = EmbeddedNetwork::start().unwrap();
    let ours = net.payer();
    let dir = tempfile::tempdir().unwrap();
    // a squatter creates the name first, with the very settings of our file
    let squatter = Keypair::new();
    let fund = depin::ix::transfer_lamports(&ours.pubkey(), &squatter.pubkey(), 1_000_000_000);
    depin::registry::Registry::new(&net)
        .send(&[fund], &ours, &[])
        .unwrap();
    let cfg = write(
        dir.path(),
        "name = \"squat-net\"\nonboarding_fee_credits = 400\nlocation_fee_credits = 100\n",
    );
    bootstrap(&net, &squatter, &cfg).unwrap();
    let err = bootstrap(&net, &ours, &cfg).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("already exists with authority")
            && msg.contains(&squatter.pubkey().to_string()),
        "{msg}"
    );
}
