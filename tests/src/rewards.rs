//! A network with oracles and an emission schedule, for the emissions tests.
use crate::{World, EPOCH_S_FOR_REWARDS as EPOCH_S};
use anchor_lang::prelude::Pubkey;
use depin::emissions::{self as em, Emissions, RewardAccounts};
use depin::verifier::{ReportContent, Verifier};
use depin_core::rewards::EpochRewards;
use depin_core::sha256::Soft;
use emissions::{Decay, ScheduleArgs};
use proof_verifier::OracleSetArgs;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::BTreeMap;

pub const CHALLENGE_S: u32 = 60;

pub struct RewardsWorld {
    pub w: World,
    pub oracles: Vec<Keypair>,
    pub reward_mint: Pubkey,
    pub rewards: RewardAccounts,
    /// Node totals after the last epoch the test built.
    pub cumulative: BTreeMap<[u8; 32], u64>,
}

/// 1,000,000 per epoch halving every 4 epochs, 10 % to oracles, 10 % to the treasury.
pub fn schedule_args() -> ScheduleArgs {
    ScheduleArgs {
        initial_per_epoch: 1_000_000,
        decay: Decay::Halving { interval_epochs: 4 },
        tail_per_epoch: 10_000,
        max_supply: 100_000_000,
        operators_bps: 8_000,
        oracles_bps: 1_000,
        treasury_bps: 1_000,
        breaker_window_s: 86_400,
        breaker_threshold: 50_000_000,
        first_epoch: 0,
        bme_share_bps: 0,
        bme_cap_per_epoch: 0,
    }
}

impl RewardsWorld {
    /// A world whose reward mint lives under `token_program`; `args` as given.
    pub fn new(token_program: Pubkey, args: ScheduleArgs) -> Self {
        Self::new_with(token_program, args, |_| {})
    }

    /// Same, letting `setup` add programs before the runtime starts.
    #[allow(deprecated)] // program-test's types, as the embedded transport uses them
    pub fn new_with(
        token_program: Pubkey,
        args: ScheduleArgs,
        setup: impl FnOnce(&mut solana_program_test::ProgramTest),
    ) -> Self {
        let w = World::build_with("test-net", depin::tokens::TOKEN_2022_PROGRAM, setup);
        let parts = setup_rewards(&w, token_program, args);
        RewardsWorld {
            w,
            oracles: parts.oracles,
            reward_mint: parts.rewards.reward_mint,
            rewards: parts.rewards,
            cumulative: BTreeMap::new(),
        }
    }

    pub fn em(&self) -> Emissions<'_> {
        Emissions::new(&self.w.net)
    }

    /// The operators' share the schedule gives `epoch` now.
    pub fn operators_share(&self, epoch: u64) -> u64 {
        operators_share(&self.w, epoch)
    }

    /// Builds epoch `epoch`'s tree from `work` (node address → units), has two oracles
    /// attest it, lets the challenge period pass and finalises the report (not the epoch).
    pub fn report_epoch(&mut self, epoch: u64, work: &BTreeMap<Pubkey, u64>) -> EpochRewards {
        let r = report_epoch(&self.w, &self.oracles, &self.cumulative, epoch, work);
        self.cumulative = r.cumulative.clone();
        r
    }

    /// Has two oracles attest `root` for `epoch` and finalises the report.
    pub fn report_root(&self, epoch: u64, root: [u8; 32], total_work: u64, node_count: u32) {
        report_root(&self.w, &self.oracles, epoch, root, total_work, node_count);
    }

    pub fn balance(&self, account: &Pubkey) -> u64 {
        self.w.reg().token_balance(account).expect("balance")
    }

    pub fn owner_rewards(&self, owner: &Pubkey) -> Pubkey {
        depin::pda::associated_token(owner, &self.reward_mint, &self.rewards.token_program)
    }
}

/// What [`setup_rewards`] made.
pub struct RewardParts {
    pub oracles: Vec<Keypair>,
    pub rewards: RewardAccounts,
}

/// Three oracles (threshold 2), a reward mint under `token_program` and an emission
/// schedule with `args` for `w`'s network.
pub fn setup_rewards(w: &World, token_program: Pubkey, args: ScheduleArgs) -> RewardParts {
    let oracles: Vec<Keypair> = (0..3).map(|_| w.device()).collect();
    for k in &oracles {
        w.fund(&k.pubkey(), 1_000_000_000);
    }
    let genesis = w.now() as i64 - 20 * i64::from(EPOCH_S);
    Verifier::new(&w.net)
        .init_oracle_set(
            &w.operator,
            &w.network,
            OracleSetArgs {
                oracles: oracles.iter().map(|k| k.pubkey()).collect(),
                threshold: 2,
                genesis_ts: genesis,
                epoch_length_s: EPOCH_S,
                challenge_period_s: CHALLENGE_S,
            },
        )
        .expect("oracle set");
    let mint = Keypair::new();
    w.reg()
        .create_mint(
            &w.operator,
            &mint,
            &em::authority_address(&w.network),
            6,
            &token_program,
        )
        .expect("reward mint");
    let oracle_wallet = Keypair::new();
    let treasury_wallet = Keypair::new();
    let mut accounts = vec![];
    for owner in [&oracle_wallet, &treasury_wallet] {
        let ix = depin::tokens::create_associated_account(
            &w.operator.pubkey(),
            &owner.pubkey(),
            &mint.pubkey(),
            &token_program,
        );
        w.send(&[ix], &w.operator, &[]).expect("token account");
        accounts.push(depin::pda::associated_token(
            &owner.pubkey(),
            &mint.pubkey(),
            &token_program,
        ));
    }
    let rewards = RewardAccounts {
        reward_mint: mint.pubkey(),
        oracle_rewards: accounts[0],
        treasury: accounts[1],
        token_program,
    };
    Emissions::new(&w.net)
        .initialize(&w.operator, &w.network, rewards, args)
        .expect("initialize emissions");
    RewardParts { oracles, rewards }
}

/// Has two of `oracles` attest `root` for `epoch` and finalises the report.
pub fn report_root(
    w: &World,
    oracles: &[Keypair],
    epoch: u64,
    root: [u8; 32],
    total_work: u64,
    node_count: u32,
) {
    let content = ReportContent {
        round: 0,
        epoch,
        root,
        total_work,
        node_count,
    };
    let v = Verifier::new(&w.net);
    v.submit_report(&oracles[0], &w.network, content, &[&oracles[1]])
        .expect("submit report");
    w.net.advance_time(i64::from(CHALLENGE_S)).expect("time");
    v.finalize_report(&w.operator, &w.network, epoch)
        .expect("finalize report");
}

/// The operators' share `w`'s schedule gives `epoch` now.
pub fn operators_share(w: &World, epoch: u64) -> u64 {
    let s = em::schedule(&w.net, &w.network).expect("schedule");
    let amount = s.core().amount_for_epoch(epoch, s.emitted_total);
    s.split(amount).expect("split").0
}

/// Epoch `epoch`'s rewards from `work` (node address → units) on top of `cumulative`,
/// attested by two of `oracles` and finalised as a report (not the epoch).
pub fn report_epoch(
    w: &World,
    oracles: &[Keypair],
    cumulative: &BTreeMap<[u8; 32], u64>,
    epoch: u64,
    work: &BTreeMap<Pubkey, u64>,
) -> EpochRewards {
    let work: BTreeMap<[u8; 32], u64> = work.iter().map(|(k, v)| (k.to_bytes(), *v)).collect();
    let r = EpochRewards::compute::<Soft>(cumulative, &work, operators_share(w, epoch))
        .expect("rewards");
    report_root(
        w,
        oracles,
        epoch,
        r.root(),
        r.total_work,
        r.cumulative.len() as u32,
    );
    r
}
