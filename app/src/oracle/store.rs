//! The oracle's storage behind one trait: SQLite (embedded, the default) and PostgreSQL
//! (several oracle replicas sharing one database). A write returns only once committed, so
//! a receipt acknowledged with a 2xx survives a crash.
use super::proofs::ProofRow;
use super::receipts::SignedBatch;
use super::registry::RegistrySnapshot;
use anyhow::{ensure, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;

/// How a receipt whose `(device, epoch, seq)` is already stored is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertMode {
    /// From the device: a replay, refused.
    Device,
    /// From a peer oracle: the lower work of the two is kept, so every oracle ends with the
    /// same receipts whatever the order they arrived in.
    Peer,
}

/// The stages of one epoch's run, in order; each is recorded when it is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Pulled,
    Aggregated,
    Built,
    Attested,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Pulled => "pulled",
            Stage::Aggregated => "aggregated",
            Stage::Built => "built",
            Stage::Attested => "attested",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pulled" => Stage::Pulled,
            "aggregated" => Stage::Aggregated,
            "built" => Stage::Built,
            "attested" => Stage::Attested,
            other => anyhow::bail!("unknown epoch stage `{other}` in the store"),
        })
    }
}

/// What the store keeps of one epoch's run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EpochRun {
    pub epoch: u64,
    pub stage: Option<Stage>,
    /// Work per node (JSON `{node: units}`), from `Aggregated` on.
    pub work: Option<String>,
    /// The rewards file (JSON, with every proof), from `Built` on.
    pub rewards: Option<String>,
    /// What went on chain: `submitted`, `approved`, or `already` (found on chain).
    pub action: Option<String>,
    pub signature: Option<String>,
}

/// Receipts already stored: (device, seq) → work units.
pub type HeldReceipts = std::collections::HashMap<([u8; 32], u64), u64>;

pub trait Store: Send + Sync {
    /// Stores the receipts of `batches` (signatures already checked) whose flag is set, in
    /// one transaction, each batch whole beside them; per batch, per receipt: whether it is
    /// new (for a peer: new or lowered).
    fn insert(
        &self,
        batches: &[(&SignedBatch, &[bool])],
        mode: InsertMode,
    ) -> Result<Vec<Vec<bool>>>;
    /// Batches of `epoch` with an id above `after`, oldest first: (id, encoded batch).
    fn batches(&self, epoch: u64, after: i64, limit: u32) -> Result<Vec<(i64, Vec<u8>)>>;
    /// `(device, summed work)` of `epoch`, by device.
    fn work(&self, epoch: u64) -> Result<Vec<([u8; 32], u128)>>;
    fn receipt_count(&self, epoch: u64) -> Result<u64>;
    /// The stored work units of one receipt.
    fn receipt(&self, device: &[u8; 32], epoch: u64, seq: u64) -> Result<Option<u64>>;
    /// The stored work units of every receipt of `devices` in `epoch`, by (device, seq).
    fn held(&self, epoch: u64, devices: &[[u8; 32]]) -> Result<HeldReceipts>;
    fn save_registry(&self, snapshot: &RegistrySnapshot) -> Result<()>;
    fn load_registry(&self) -> Result<Option<RegistrySnapshot>>;
    fn epoch_run(&self, epoch: u64) -> Result<Option<EpochRun>>;
    fn save_epoch_run(&self, run: &EpochRun) -> Result<()>;
    /// The latest run before `epoch` that has its rewards built.
    fn latest_built_before(&self, epoch: u64) -> Result<Option<EpochRun>>;
    /// Stores events of a compressed tree in one transaction; an event whose `(tree, seq)`
    /// is stored already is left as it is (the indexer checks every root on replay).
    fn save_tree_events(&self, tree: &[u8; 32], events: &[TreeEventRow]) -> Result<()>;
    /// Up to `limit` stored events of `tree` with a sequence number above `after`, in order.
    fn tree_events(&self, tree: &[u8; 32], after: u64, limit: u32) -> Result<Vec<TreeEventRow>>;
    /// Stores sector proofs in one transaction; per proof, whether it was new. A proof held
    /// already keeps the earlier of the two receipt times.
    fn save_proofs(&self, rows: &[ProofRow]) -> Result<Vec<bool>>;
    /// Proofs of `epoch` with an id above `after`, oldest first.
    fn proofs(&self, epoch: u64, after: i64, limit: u32) -> Result<Vec<(i64, ProofRow)>>;
    fn describe(&self) -> String;
}

/// One node_registry CPI event of a compressed tree, as the indexer keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEventRow {
    /// The tree's sequence number after the event's writes.
    pub seq: u64,
    pub slot: u64,
    /// The transaction's signature (base58).
    pub signature: String,
    /// The event: discriminator and Borsh body.
    pub data: Vec<u8>,
}

/// Opens `database_url` (`postgres://…`) or else SQLite at `data_dir/oracle.sqlite`.
pub fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Box<dyn Store>> {
    match database_url {
        Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
            Ok(Box::new(PostgresStore::connect(u)?))
        }
        Some(u) => {
            anyhow::bail!("database_url `{u}` is not a postgres:// URL (omit it for SQLite)")
        }
        None => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
            Ok(Box::new(SqliteStore::open(
                &data_dir.join("oracle.sqlite"),
            )?))
        }
    }
}

fn i64_of(v: u64, what: &str) -> Result<i64> {
    i64::try_from(v).with_context(|| format!("{what} {v} does not fit the store's 63 bits"))
}

fn key32(v: Vec<u8>) -> Result<[u8; 32]> {
    v.try_into()
        .map_err(|v: Vec<u8>| anyhow::anyhow!("a stored key is {} bytes, not 32", v.len()))
}

const SQLITE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    epoch INTEGER NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_epoch ON batches (epoch, id);
CREATE TABLE IF NOT EXISTS receipts (
    device BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    work INTEGER NOT NULL,
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (device, epoch, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS registry (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    snapshot TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS epoch_runs (
    epoch INTEGER PRIMARY KEY,
    stage TEXT,
    work TEXT,
    rewards TEXT,
    action TEXT,
    signature TEXT
);
CREATE TABLE IF NOT EXISTS tree_events (
    tree BLOB NOT NULL,
    seq INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    signature TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (tree, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sector_proofs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    epoch INTEGER NOT NULL,
    digest BLOB NOT NULL,
    received_ms INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (epoch, digest)
);
";

pub struct SqliteStore {
    conn: Mutex<rusqlite::Connection>,
    path: String,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self> {
        let conn = rusqlite::Connection::open(path)
            .with_context(|| format!("opening SQLite at {}", path.display()))?;
        // WAL with synchronous=FULL: every commit is on disk before it returns
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
        )
        .context("setting SQLite's journal mode")?;
        conn.execute_batch(SQLITE_SCHEMA)
            .context("creating the oracle's SQLite tables")?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path: path.display().to_string(),
        })
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, rusqlite::Connection>> {
        self.conn
            .lock()
            .map_err(|_| anyhow::anyhow!("the SQLite connection was poisoned by a panic"))
    }
}

impl Store for SqliteStore {
    fn insert(
        &self,
        batches: &[(&SignedBatch, &[bool])],
        mode: InsertMode,
    ) -> Result<Vec<Vec<bool>>> {
        let mut c = self.conn()?;
        let tx = c.transaction().context("starting a SQLite transaction")?;
        let mut out = Vec::with_capacity(batches.len());
        {
            let mut add_batch =
                tx.prepare_cached("INSERT INTO batches (epoch, body) VALUES (?1, ?2)")?;
            let mut drop_batch = tx.prepare_cached("DELETE FROM batches WHERE id = ?1")?;
            let mut add = tx.prepare_cached(match mode {
                InsertMode::Device => {
                    "INSERT INTO receipts (device, epoch, seq, work, batch_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING"
                }
                InsertMode::Peer => {
                    "INSERT INTO receipts (device, epoch, seq, work, batch_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (device, epoch, seq) \
                     DO UPDATE SET work = excluded.work, batch_id = excluded.batch_id \
                     WHERE excluded.work < receipts.work"
                }
            })?;
            for (b, take) in batches {
                let epoch = i64_of(b.epoch, "epoch")?;
                add_batch.execute(rusqlite::params![epoch, b.to_bytes()])?;
                let id = tx.last_insert_rowid();
                let mut fresh = Vec::with_capacity(b.receipts.len());
                for (r, take) in b.receipts.iter().zip(take.iter()) {
                    if !take {
                        fresh.push(false);
                        continue;
                    }
                    let n = add.execute(rusqlite::params![
                        &b.device[..],
                        epoch,
                        i64_of(r.seq, "seq")?,
                        i64_of(r.work_units, "work units")?,
                        id
                    ])?;
                    fresh.push(n == 1);
                }
                if !fresh.iter().any(|f| *f) {
                    drop_batch.execute([id])?;
                }
                out.push(fresh);
            }
        }
        tx.commit().context("committing receipts to SQLite")?;
        Ok(out)
    }

    fn batches(&self, epoch: u64, after: i64, limit: u32) -> Result<Vec<(i64, Vec<u8>)>> {
        let c = self.conn()?;
        let mut q = c.prepare_cached(
            "SELECT id, body FROM batches WHERE epoch = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = q.query_map(
            rusqlite::params![i64_of(epoch, "epoch")?, after, limit],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn work(&self, epoch: u64) -> Result<Vec<([u8; 32], u128)>> {
        let c = self.conn()?;
        // summed in Rust: SQLite's SUM stops at i64
        let mut q = c.prepare_cached(
            "SELECT device, work FROM receipts WHERE epoch = ?1 ORDER BY device, seq",
        )?;
        let mut rows = q.query([i64_of(epoch, "epoch")?])?;
        let mut out: Vec<([u8; 32], u128)> = vec![];
        while let Some(r) = rows.next()? {
            let d: Vec<u8> = r.get(0)?;
            let w: i64 = r.get(1)?;
            let d = key32(d)?;
            let w = u128::from(u64::try_from(w).context("negative work in the store")?);
            match out.last_mut() {
                Some((last, sum)) if *last == d => *sum += w,
                _ => out.push((d, w)),
            }
        }
        Ok(out)
    }

    fn receipt_count(&self, epoch: u64) -> Result<u64> {
        let c = self.conn()?;
        let n: i64 = c.query_row(
            "SELECT COUNT(*) FROM receipts WHERE epoch = ?1",
            [i64_of(epoch, "epoch")?],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    fn receipt(&self, device: &[u8; 32], epoch: u64, seq: u64) -> Result<Option<u64>> {
        use rusqlite::OptionalExtension;
        let c = self.conn()?;
        let w: Option<i64> = c
            .query_row(
                "SELECT work FROM receipts WHERE device = ?1 AND epoch = ?2 AND seq = ?3",
                rusqlite::params![&device[..], i64_of(epoch, "epoch")?, i64_of(seq, "seq")?],
                |r| r.get(0),
            )
            .optional()?;
        Ok(w.map(|w| w as u64))
    }

    fn held(&self, epoch: u64, devices: &[[u8; 32]]) -> Result<HeldReceipts> {
        let c = self.conn()?;
        let mut q =
            c.prepare_cached("SELECT seq, work FROM receipts WHERE device = ?1 AND epoch = ?2")?;
        let epoch = i64_of(epoch, "epoch")?;
        let mut out = HeldReceipts::new();
        for d in devices {
            let rows = q.query_map(rusqlite::params![&d[..], epoch], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (seq, work) = row?;
                out.insert((*d, seq as u64), work as u64);
            }
        }
        Ok(out)
    }

    fn save_registry(&self, snapshot: &RegistrySnapshot) -> Result<()> {
        let c = self.conn()?;
        c.execute(
            "INSERT INTO registry (id, snapshot) VALUES (1, ?1) \
             ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot",
            [serde_json::to_string(snapshot)?],
        )?;
        Ok(())
    }

    fn load_registry(&self) -> Result<Option<RegistrySnapshot>> {
        use rusqlite::OptionalExtension;
        let c = self.conn()?;
        let s: Option<String> = c
            .query_row("SELECT snapshot FROM registry WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        s.map(|s| serde_json::from_str(&s).context("the stored registry is not valid JSON"))
            .transpose()
    }

    fn epoch_run(&self, epoch: u64) -> Result<Option<EpochRun>> {
        use rusqlite::OptionalExtension;
        let c = self.conn()?;
        let row = c
            .query_row(
                "SELECT epoch, stage, work, rewards, action, signature FROM epoch_runs \
                 WHERE epoch = ?1",
                [i64_of(epoch, "epoch")?],
                sqlite_run,
            )
            .optional()?;
        row.map(finish_run).transpose()
    }

    fn save_epoch_run(&self, run: &EpochRun) -> Result<()> {
        let c = self.conn()?;
        c.execute(
            "INSERT INTO epoch_runs (epoch, stage, work, rewards, action, signature) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (epoch) DO UPDATE SET \
             stage = excluded.stage, work = excluded.work, rewards = excluded.rewards, \
             action = excluded.action, signature = excluded.signature",
            rusqlite::params![
                i64_of(run.epoch, "epoch")?,
                run.stage.map(Stage::name),
                run.work,
                run.rewards,
                run.action,
                run.signature
            ],
        )?;
        Ok(())
    }

    fn latest_built_before(&self, epoch: u64) -> Result<Option<EpochRun>> {
        use rusqlite::OptionalExtension;
        let c = self.conn()?;
        let row = c
            .query_row(
                "SELECT epoch, stage, work, rewards, action, signature FROM epoch_runs \
                 WHERE epoch < ?1 AND rewards IS NOT NULL ORDER BY epoch DESC LIMIT 1",
                [epoch.min(i64::MAX as u64) as i64],
                sqlite_run,
            )
            .optional()?;
        row.map(finish_run).transpose()
    }

    fn save_tree_events(&self, tree: &[u8; 32], events: &[TreeEventRow]) -> Result<()> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO tree_events (tree, seq, slot, signature, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tree, seq) DO NOTHING",
            )?;
            for e in events {
                st.execute(rusqlite::params![
                    &tree[..],
                    i64_of(e.seq, "a tree sequence number")?,
                    i64_of(e.slot, "a slot")?,
                    e.signature,
                    e.data
                ])?;
            }
        }
        tx.commit().context("committing tree events")?;
        Ok(())
    }

    fn tree_events(&self, tree: &[u8; 32], after: u64, limit: u32) -> Result<Vec<TreeEventRow>> {
        let c = self.conn()?;
        let mut st = c.prepare_cached(
            "SELECT seq, slot, signature, data FROM tree_events \
             WHERE tree = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = st.query_map(
            rusqlite::params![&tree[..], i64_of(after, "a tree sequence number")?, limit],
            |r| {
                Ok(TreeEventRow {
                    seq: r.get::<_, i64>(0)? as u64,
                    slot: r.get::<_, i64>(1)? as u64,
                    signature: r.get(2)?,
                    data: r.get(3)?,
                })
            },
        )?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .context("reading tree events")
    }

    fn save_proofs(&self, rows: &[ProofRow]) -> Result<Vec<bool>> {
        let mut c = self.conn()?;
        let tx = c.transaction()?;
        let mut new = Vec::with_capacity(rows.len());
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO sector_proofs (epoch, digest, received_ms, body) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (epoch, digest) DO NOTHING",
            )?;
            let mut earlier = tx.prepare_cached(
                "UPDATE sector_proofs SET received_ms = ?3 \
                 WHERE epoch = ?1 AND digest = ?2 AND received_ms > ?3",
            )?;
            for r in rows {
                let epoch = i64_of(r.epoch, "an epoch")?;
                let n = ins.execute(rusqlite::params![
                    epoch,
                    &r.digest[..],
                    r.received_ms,
                    r.body
                ])?;
                if n == 0 {
                    earlier.execute(rusqlite::params![epoch, &r.digest[..], r.received_ms])?;
                }
                new.push(n == 1);
            }
        }
        tx.commit().context("committing sector proofs")?;
        Ok(new)
    }

    fn proofs(&self, epoch: u64, after: i64, limit: u32) -> Result<Vec<(i64, ProofRow)>> {
        let c = self.conn()?;
        let mut st = c.prepare_cached(
            "SELECT id, digest, received_ms, body FROM sector_proofs \
             WHERE epoch = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = st.query_map(
            rusqlite::params![i64_of(epoch, "an epoch")?, after, limit],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?;
        rows.map(|r| {
            let (id, digest, received_ms, body) = r?;
            Ok((
                id,
                ProofRow {
                    epoch,
                    digest: key32(digest)?,
                    received_ms,
                    body,
                },
            ))
        })
        .collect::<Result<Vec<_>>>()
        .context("reading sector proofs")
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path)
    }
}

type RawRun = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn sqlite_run(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRun> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn finish_run((epoch, stage, work, rewards, action, signature): RawRun) -> Result<EpochRun> {
    Ok(EpochRun {
        epoch: u64::try_from(epoch).context("negative epoch in the store")?,
        stage: stage.as_deref().map(Stage::parse).transpose()?,
        work,
        rewards,
        action,
        signature,
    })
}

const POSTGRES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS batches (
    id BIGSERIAL PRIMARY KEY,
    epoch BIGINT NOT NULL,
    body BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_epoch ON batches (epoch, id);
CREATE TABLE IF NOT EXISTS receipts (
    device BYTEA NOT NULL,
    epoch BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    work BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (device, epoch, seq)
);
CREATE TABLE IF NOT EXISTS registry (
    id INT PRIMARY KEY CHECK (id = 1),
    snapshot TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS epoch_runs (
    epoch BIGINT PRIMARY KEY,
    stage TEXT,
    work TEXT,
    rewards TEXT,
    action TEXT,
    signature TEXT
);
CREATE TABLE IF NOT EXISTS tree_events (
    tree BYTEA NOT NULL,
    seq BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    signature TEXT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (tree, seq)
);
CREATE TABLE IF NOT EXISTS sector_proofs (
    id BIGSERIAL PRIMARY KEY,
    epoch BIGINT NOT NULL,
    digest BYTEA NOT NULL,
    received_ms BIGINT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (epoch, digest)
);
";

/// PostgreSQL: one connection per oracle process; replicas share the database. Calls block,
/// so the server runs them on tokio's blocking pool.
pub struct PostgresStore {
    client: Mutex<postgres::Client>,
    url: String,
}

impl PostgresStore {
    pub fn connect(url: &str) -> Result<Self> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)
            .with_context(|| format!("connecting to PostgreSQL at {}", redact(url)))?;
        client
            .batch_execute(POSTGRES_SCHEMA)
            .context("creating the oracle's PostgreSQL tables")?;
        Ok(PostgresStore {
            client: Mutex::new(client),
            url: redact(url),
        })
    }

    fn client(&self) -> Result<std::sync::MutexGuard<'_, postgres::Client>> {
        self.client
            .lock()
            .map_err(|_| anyhow::anyhow!("the PostgreSQL connection was poisoned by a panic"))
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..s + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn pg_run(r: &postgres::Row) -> Result<EpochRun> {
    finish_run((
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
        r.try_get(5)?,
    ))
}

impl Store for PostgresStore {
    fn insert(
        &self,
        batches: &[(&SignedBatch, &[bool])],
        mode: InsertMode,
    ) -> Result<Vec<Vec<bool>>> {
        let mut c = self.client()?;
        let mut tx = c
            .transaction()
            .context("starting a PostgreSQL transaction")?;
        let add_batch =
            tx.prepare("INSERT INTO batches (epoch, body) VALUES ($1, $2) RETURNING id")?;
        let drop_batch = tx.prepare("DELETE FROM batches WHERE id = $1")?;
        let add = tx.prepare(match mode {
            InsertMode::Device => {
                "INSERT INTO receipts (device, epoch, seq, work, batch_id) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
            }
            InsertMode::Peer => {
                "INSERT INTO receipts (device, epoch, seq, work, batch_id) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device, epoch, seq) \
                 DO UPDATE SET work = excluded.work, batch_id = excluded.batch_id \
                 WHERE excluded.work < receipts.work"
            }
        })?;
        let mut out = Vec::with_capacity(batches.len());
        for (b, take) in batches {
            let epoch = i64_of(b.epoch, "epoch")?;
            let id: i64 = tx
                .query_one(&add_batch, &[&epoch, &b.to_bytes()])?
                .try_get(0)?;
            let mut fresh = Vec::with_capacity(b.receipts.len());
            for (r, take) in b.receipts.iter().zip(take.iter()) {
                if !take {
                    fresh.push(false);
                    continue;
                }
                let n = tx.execute(
                    &add,
                    &[
                        &&b.device[..],
                        &epoch,
                        &i64_of(r.seq, "seq")?,
                        &i64_of(r.work_units, "work units")?,
                        &id,
                    ],
                )?;
                fresh.push(n == 1);
            }
            if !fresh.iter().any(|f| *f) {
                tx.execute(&drop_batch, &[&id])?;
            }
            out.push(fresh);
        }
        tx.commit().context("committing receipts to PostgreSQL")?;
        Ok(out)
    }

    fn batches(&self, epoch: u64, after: i64, limit: u32) -> Result<Vec<(i64, Vec<u8>)>> {
        let mut c = self.client()?;
        let rows = c.query(
            "SELECT id, body FROM batches WHERE epoch = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&i64_of(epoch, "epoch")?, &after, &i64::from(limit)],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    fn work(&self, epoch: u64) -> Result<Vec<([u8; 32], u128)>> {
        let mut c = self.client()?;
        let rows = c.query(
            "SELECT device, SUM(work)::TEXT FROM receipts WHERE epoch = $1 \
             GROUP BY device ORDER BY device",
            &[&i64_of(epoch, "epoch")?],
        )?;
        rows.iter()
            .map(|r| {
                let d: Vec<u8> = r.try_get(0)?;
                let s: String = r.try_get(1)?;
                Ok((
                    key32(d)?,
                    s.parse::<u128>().context("a work sum from PostgreSQL")?,
                ))
            })
            .collect()
    }

    fn receipt_count(&self, epoch: u64) -> Result<u64> {
        let mut c = self.client()?;
        let n: i64 = c
            .query_one(
                "SELECT COUNT(*) FROM receipts WHERE epoch = $1",
                &[&i64_of(epoch, "epoch")?],
            )?
            .try_get(0)?;
        Ok(n as u64)
    }

    fn receipt(&self, device: &[u8; 32], epoch: u64, seq: u64) -> Result<Option<u64>> {
        let mut c = self.client()?;
        let row = c.query_opt(
            "SELECT work FROM receipts WHERE device = $1 AND epoch = $2 AND seq = $3",
            &[&&device[..], &i64_of(epoch, "epoch")?, &i64_of(seq, "seq")?],
        )?;
        Ok(row
            .map(|r| r.try_get::<_, i64>(0))
            .transpose()?
            .map(|w| w as u64))
    }

    fn held(&self, epoch: u64, devices: &[[u8; 32]]) -> Result<HeldReceipts> {
        let mut out = HeldReceipts::new();
        if devices.is_empty() {
            return Ok(out);
        }
        let mut c = self.client()?;
        let keys: Vec<&[u8]> = devices.iter().map(|d| &d[..]).collect();
        let rows = c.query(
            "SELECT device, seq, work FROM receipts WHERE epoch = $1 AND device = ANY($2)",
            &[&i64_of(epoch, "epoch")?, &keys],
        )?;
        for r in rows {
            let device = key32(r.try_get::<_, Vec<u8>>(0)?)?;
            let seq: i64 = r.try_get(1)?;
            let work: i64 = r.try_get(2)?;
            out.insert((device, seq as u64), work as u64);
        }
        Ok(out)
    }

    fn save_registry(&self, snapshot: &RegistrySnapshot) -> Result<()> {
        let mut c = self.client()?;
        c.execute(
            "INSERT INTO registry (id, snapshot) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot",
            &[&serde_json::to_string(snapshot)?],
        )?;
        Ok(())
    }

    fn load_registry(&self) -> Result<Option<RegistrySnapshot>> {
        let mut c = self.client()?;
        let row = c.query_opt("SELECT snapshot FROM registry WHERE id = 1", &[])?;
        row.map(|r| {
            let s: String = r.try_get(0)?;
            serde_json::from_str(&s).context("the stored registry is not valid JSON")
        })
        .transpose()
    }

    fn epoch_run(&self, epoch: u64) -> Result<Option<EpochRun>> {
        let mut c = self.client()?;
        let row = c.query_opt(
            "SELECT epoch, stage, work, rewards, action, signature FROM epoch_runs \
             WHERE epoch = $1",
            &[&i64_of(epoch, "epoch")?],
        )?;
        row.as_ref().map(pg_run).transpose()
    }

    fn save_epoch_run(&self, run: &EpochRun) -> Result<()> {
        let mut c = self.client()?;
        c.execute(
            "INSERT INTO epoch_runs (epoch, stage, work, rewards, action, signature) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (epoch) DO UPDATE SET \
             stage = excluded.stage, work = excluded.work, rewards = excluded.rewards, \
             action = excluded.action, signature = excluded.signature",
            &[
                &i64_of(run.epoch, "epoch")?,
                &run.stage.map(Stage::name),
                &run.work,
                &run.rewards,
                &run.action,
                &run.signature,
            ],
        )?;
        Ok(())
    }

    fn latest_built_before(&self, epoch: u64) -> Result<Option<EpochRun>> {
        let mut c = self.client()?;
        let row = c.query_opt(
            "SELECT epoch, stage, work, rewards, action, signature FROM epoch_runs \
             WHERE epoch < $1 AND rewards IS NOT NULL ORDER BY epoch DESC LIMIT 1",
            &[&(epoch.min(i64::MAX as u64) as i64)],
        )?;
        row.as_ref().map(pg_run).transpose()
    }

    fn save_tree_events(&self, tree: &[u8; 32], events: &[TreeEventRow]) -> Result<()> {
        let mut c = self.client()?;
        let mut tx = c.transaction()?;
        let st = tx.prepare(
            "INSERT INTO tree_events (tree, seq, slot, signature, data) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tree, seq) DO NOTHING",
        )?;
        for e in events {
            tx.execute(
                &st,
                &[
                    &&tree[..],
                    &i64_of(e.seq, "a tree sequence number")?,
                    &i64_of(e.slot, "a slot")?,
                    &e.signature,
                    &e.data,
                ],
            )?;
        }
        tx.commit().context("committing tree events")?;
        Ok(())
    }

    fn tree_events(&self, tree: &[u8; 32], after: u64, limit: u32) -> Result<Vec<TreeEventRow>> {
        let mut c = self.client()?;
        let rows = c.query(
            "SELECT seq, slot, signature, data FROM tree_events \
             WHERE tree = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            &[
                &&tree[..],
                &i64_of(after, "a tree sequence number")?,
                &i64::from(limit),
            ],
        )?;
        rows.iter()
            .map(|r| {
                Ok(TreeEventRow {
                    seq: r.try_get::<_, i64>(0)? as u64,
                    slot: r.try_get::<_, i64>(1)? as u64,
                    signature: r.try_get(2)?,
                    data: r.try_get(3)?,
                })
            })
            .collect()
    }

    fn save_proofs(&self, rows: &[ProofRow]) -> Result<Vec<bool>> {
        let mut c = self.client()?;
        let mut tx = c.transaction()?;
        let ins = tx.prepare(
            "INSERT INTO sector_proofs (epoch, digest, received_ms, body) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (epoch, digest) DO NOTHING",
        )?;
        let earlier = tx.prepare(
            "UPDATE sector_proofs SET received_ms = $3 \
             WHERE epoch = $1 AND digest = $2 AND received_ms > $3",
        )?;
        let mut new = Vec::with_capacity(rows.len());
        for r in rows {
            let epoch = i64_of(r.epoch, "an epoch")?;
            let n = tx.execute(&ins, &[&epoch, &&r.digest[..], &r.received_ms, &r.body])?;
            if n == 0 {
                tx.execute(&earlier, &[&epoch, &&r.digest[..], &r.received_ms])?;
            }
            new.push(n == 1);
        }
        tx.commit().context("committing sector proofs")?;
        Ok(new)
    }

    fn proofs(&self, epoch: u64, after: i64, limit: u32) -> Result<Vec<(i64, ProofRow)>> {
        let mut c = self.client()?;
        let rows = c.query(
            "SELECT id, digest, received_ms, body FROM sector_proofs \
             WHERE epoch = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&i64_of(epoch, "an epoch")?, &after, &i64::from(limit)],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<_, i64>(0)?,
                    ProofRow {
                        epoch,
                        digest: key32(r.try_get(1)?)?,
                        received_ms: r.try_get(2)?,
                        body: r.try_get(3)?,
                    },
                ))
            })
            .collect()
    }

    fn describe(&self) -> String {
        format!("postgres:{}", self.url)
    }
}

/// Checks a stored run is consistent before it is resumed.
pub fn check_run(run: &EpochRun) -> Result<()> {
    if run.stage >= Some(Stage::Aggregated) {
        ensure!(
            run.work.is_some(),
            "epoch {}: aggregated but no work stored",
            run.epoch
        );
    }
    if run.stage >= Some(Stage::Built) {
        ensure!(
            run.rewards.is_some(),
            "epoch {}: built but no rewards stored",
            run.epoch
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h:5/db"), "postgres://u@h:5/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }
}
