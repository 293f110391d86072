//! `depin simulate`: a tokenomics simulator on depin-core's exact integer math — the
//! emission schedule, Pyth-style conservative prices, token↔credit conversion and the capped
//! burn-and-mint re-mint are the functions the programs run — over a usage scenario (node
//! growth, usage growth, a token price path) epoch by epoch, written as CSV and PNG charts.
use anyhow::{ensure, Context, Result};
use depin_core::emission::{Decay, Schedule};
use depin_core::price::{bme_remint, Price};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Price exponent of the simulation (Pyth's usual −8).
const EXPO: i32 = -8;
const PPM: u128 = 1_000_000;
/// Fixed-point scale of node counts and per-node usage while they grow.
const FP: u128 = 1_000_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub years: u32,
    /// Default one day.
    #[serde(default = "default_epoch_length")]
    pub epoch_length_s: u32,
    #[serde(default = "default_decimals")]
    pub token_decimals: u8,
    /// Tokens (base units) in circulation at the start (the genesis allocation).
    pub genesis_supply: u64,
    pub schedule: ScheduleSpec,
    pub usage: UsageSpec,
    pub price: PriceSpec,
}

fn default_epoch_length() -> u32 {
    86_400
}
fn default_decimals() -> u8 {
    6
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    /// Base units emitted in the first epoch.
    pub initial_per_epoch: u64,
    /// Halve every N epochs (or `decay_ppm`).
    pub halving_interval_epochs: Option<u32>,
    pub decay_ppm: Option<u32>,
    #[serde(default)]
    pub tail_per_epoch: u64,
    pub max_supply: u64,
    /// Burn-and-mint: share of each epoch's burns re-minted, at most `bme_cap_per_epoch`.
    #[serde(default)]
    pub bme_share_bps: u16,
    #[serde(default)]
    pub bme_cap_per_epoch: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageSpec {
    pub initial_nodes: u64,
    /// Node count growth per year, basis points (compounded per epoch).
    #[serde(default)]
    pub node_growth_bps_per_year: u32,
    /// USD each node's customers spend per epoch, a decimal ("0.35").
    pub usd_per_node_per_epoch: String,
    /// Growth of that spend per year, basis points.
    #[serde(default)]
    pub usage_growth_bps_per_year: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSpec {
    #[serde(default = "default_cpu")]
    pub credits_per_usd: u64,
    /// Confidence as basis points of the price, and Helium's multiplier on it.
    #[serde(default)]
    pub conf_bps: u16,
    #[serde(default = "default_k")]
    pub conf_multiplier: u8,
    /// The token's USD price: points (day, decimal USD), linear in between, flat after.
    pub path: Vec<PricePoint>,
}

fn default_cpu() -> u64 {
    100_000
}
fn default_k() -> u8 {
    2
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricePoint {
    pub day: u32,
    pub usd: String,
}

/// One epoch's figures.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Row {
    pub epoch: u64,
    pub day: u64,
    pub nodes: u64,
    /// Token price, 10⁻⁸ USD.
    pub price: i64,
    pub credits_burned: u64,
    pub tokens_burned: u64,
    pub emitted: u64,
    pub reminted: u64,
    /// emitted + re-minted − burned (may be negative).
    pub net_issuance: i128,
    pub supply: u64,
    /// Credits customers wanted but could not buy (not enough tokens in circulation).
    pub credits_unmet: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub epochs: u64,
    pub final_supply: u64,
    pub emitted_total: u64,
    pub reminted_total: u64,
    pub burned_total: u64,
    /// The largest re-mint of any epoch (never above the schedule's cap).
    pub max_remint: u64,
    /// Credits demand could not buy because the circulating supply ran out.
    pub credits_unmet_total: u64,
    pub csv: Option<String>,
    pub png: Option<String>,
}

impl Scenario {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the scenario {}", path.display()))?;
        let s: Scenario = toml::from_str(&text)
            .with_context(|| format!("parsing the scenario {}", path.display()))?;
        s.check()?;
        Ok(s)
    }

    fn schedule(&self) -> Schedule {
        let d = &self.schedule;
        Schedule {
            initial_per_epoch: d.initial_per_epoch,
            decay: match (d.halving_interval_epochs, d.decay_ppm) {
                (Some(i), _) => Decay::Halving { interval_epochs: i },
                (None, Some(p)) => Decay::PerEpochPpm { ppm: p },
                (None, None) => Decay::Halving { interval_epochs: 0 },
            },
            tail_per_epoch: d.tail_per_epoch,
            max_supply: d.max_supply,
        }
    }

    pub fn check(&self) -> Result<()> {
        ensure!(
            (1..=100).contains(&self.years),
            "years must be between 1 and 100"
        );
        ensure!(
            self.epoch_length_s >= 60,
            "epoch_length_s must be at least 60"
        );
        ensure!(
            self.schedule.halving_interval_epochs.is_none() || self.schedule.decay_ppm.is_none(),
            "give halving_interval_epochs or decay_ppm, not both"
        );
        self.schedule()
            .validate()
            .map_err(|e| anyhow::anyhow!("the schedule is invalid: {e:?}"))?;
        ensure!(
            self.schedule.bme_share_bps <= 10_000,
            "bme_share_bps is at most 10,000"
        );
        ensure!(!self.price.path.is_empty(), "the price path needs a point");
        ensure!(
            self.price.path.windows(2).all(|w| w[0].day < w[1].day),
            "price path days must increase"
        );
        for p in &self.price.path {
            let v = crate::cli::parse_decimal(&p.usd, EXPO)?;
            ensure!(v > 0, "price {} must be positive", p.usd);
        }
        crate::cli::parse_decimal(&self.usage.usd_per_node_per_epoch, -6)
            .context("usd_per_node_per_epoch (at most 6 decimals)")?;
        ensure!(
            self.price.credits_per_usd > 0,
            "credits_per_usd must be positive"
        );
        Ok(())
    }

    pub fn epochs(&self) -> u64 {
        u64::from(self.years) * 365 * 86_400 / u64::from(self.epoch_length_s)
    }

    /// The price at `day`, 10⁻⁸ USD (linear between points).
    fn price_at(&self, day: u64) -> Result<i64> {
        let pts: Vec<(u64, i64)> = self
            .price
            .path
            .iter()
            .map(|p| Ok((u64::from(p.day), crate::cli::parse_decimal(&p.usd, EXPO)?)))
            .collect::<Result<_>>()?;
        let first = pts[0];
        if day <= first.0 {
            return Ok(first.1);
        }
        for w in pts.windows(2) {
            let ((d0, p0), (d1, p1)) = (w[0], w[1]);
            if day <= d1 {
                let span = i128::from(d1 - d0);
                let at = i128::from(day - d0);
                let v = i128::from(p0) + (i128::from(p1) - i128::from(p0)) * at / span;
                return i64::try_from(v).context("price overflows");
            }
        }
        Ok(pts[pts.len() - 1].1)
    }

    /// Runs every epoch; `progress` is called with the epochs done.
    pub fn run(&self, mut progress: impl FnMut(u64)) -> Result<Vec<Row>> {
        self.check()?;
        let schedule = self.schedule();
        let epochs = self.epochs();
        let per_year = u128::from(epochs / u64::from(self.years)).max(1);
        // per-epoch growth in ppm of the yearly basis points, compounded epoch by epoch
        let node_ppm = u128::from(self.usage.node_growth_bps_per_year) * 100 / per_year;
        let usage_ppm = u128::from(self.usage.usage_growth_bps_per_year) * 100 / per_year;
        let mut nodes_fp = u128::from(self.usage.initial_nodes) * FP;
        let usd_node = crate::cli::parse_decimal(&self.usage.usd_per_node_per_epoch, -6)?;
        let mut usd_node_fp = u128::try_from(usd_node).context("negative usage")? * FP;
        let mut supply = self.genesis_supply;
        let mut emitted = 0u64;
        let mut rows = Vec::with_capacity(epochs as usize);
        for e in 0..epochs {
            let day = e * u64::from(self.epoch_length_s) / 86_400;
            let nodes = u64::try_from(nodes_fp / FP).context("node count overflows")?;
            // micro-USD demand, then credits
            let usd_micro = nodes_fp
                .checked_mul(usd_node_fp)
                .context("usage overflows")?
                / (FP * FP);
            let credits = u64::try_from(usd_micro * u128::from(self.price.credits_per_usd) / PPM)
                .context("credits overflow u64")?;
            let raw = self.price_at(day)?;
            let conf = u64::try_from(i128::from(raw) * i128::from(self.price.conf_bps) / 10_000)
                .unwrap_or(0);
            let price = Price {
                price: raw,
                conf,
                expo: EXPO,
            }
            .conservative(u64::from(self.price.conf_multiplier), 10_000)
            .map_err(|err| anyhow::anyhow!("epoch {e}: price {raw}: {err:?}"))?;
            let want = price
                .tokens_for_credits(credits, self.token_decimals, self.price.credits_per_usd)
                .map_err(|err| {
                    anyhow::anyhow!("epoch {e}: converting {credits} credits: {err:?}")
                })?;
            let amount = schedule.amount_for_epoch(e, emitted);
            let available = supply.saturating_add(amount);
            let burned = want.min(available);
            let bought = if burned == want {
                credits
            } else {
                price
                    .credits_for_tokens(burned, self.token_decimals, self.price.credits_per_usd)
                    .unwrap_or(0)
            };
            let reminted = bme_remint(
                burned,
                self.schedule.bme_share_bps,
                self.schedule.bme_cap_per_epoch,
            );
            emitted = emitted.checked_add(amount).context("emission overflows")?;
            supply = supply
                .checked_add(amount)
                .and_then(|s| s.checked_add(reminted))
                .and_then(|s| s.checked_sub(burned))
                .context("supply out of range")?;
            rows.push(Row {
                epoch: e,
                day,
                nodes,
                price: price.price,
                credits_burned: bought,
                tokens_burned: burned,
                emitted: amount,
                reminted,
                net_issuance: i128::from(amount) + i128::from(reminted) - i128::from(burned),
                supply,
                credits_unmet: credits.saturating_sub(bought),
            });
            nodes_fp += nodes_fp * node_ppm / PPM;
            usd_node_fp += usd_node_fp * usage_ppm / PPM;
            if e % 64 == 0 {
                progress(e);
            }
        }
        progress(epochs);
        Ok(rows)
    }
}

/// Writes the rows as CSV (atomically: a temporary file, then a rename).
pub fn write_csv(rows: &[Row], path: &Path) -> Result<()> {
    let tmp = path.with_extension("csv.tmp");
    {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?,
        );
        writeln!(f, "epoch,day,nodes,price_usd_e8,credits_burned,tokens_burned,emitted,reminted,net_issuance,supply,credits_unmet")?;
        for r in rows {
            writeln!(
                f,
                "{},{},{},{},{},{},{},{},{},{},{}",
                r.epoch,
                r.day,
                r.nodes,
                r.price,
                r.credits_burned,
                r.tokens_burned,
                r.emitted,
                r.reminted,
                r.net_issuance,
                r.supply,
                r.credits_unmet
            )?;
        }
        f.flush()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Three stacked charts: supply; emitted, burned and re-minted per epoch; net issuance.
/// (Floats only for drawing; every figure comes from the integer rows.)
pub fn write_png(s: &Scenario, rows: &[Row], path: &Path) -> Result<()> {
    use plotters::prelude::*;
    static FONT: std::sync::Once = std::sync::Once::new();
    FONT.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
    let unit = 10f64.powi(i32::from(s.token_decimals));
    let tok = |v: u64| v as f64 / unit;
    let x = |r: &Row| r.day as f64 / 365.0;
    let last_x = rows.last().map(x).unwrap_or(1.0).max(1e-9);
    let draw = || -> std::result::Result<(), Box<dyn std::error::Error>> {
        let root = BitMapBackend::new(path, (1200, 1100)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(&format!("depin simulate: {}", s.name), ("sans-serif", 26))?;
        let panels = root.split_evenly((3, 1));
        // 1. supply
        let max_supply = rows.iter().map(|r| tok(r.supply)).fold(0.0, f64::max) * 1.05 + 1.0;
        let mut c = ChartBuilder::on(&panels[0])
            .margin(12)
            .caption("token supply (tokens)", ("sans-serif", 18))
            .x_label_area_size(30)
            .y_label_area_size(90)
            .build_cartesian_2d(0f64..last_x, 0f64..max_supply)?;
        c.configure_mesh()
            .x_desc("years")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()?;
        c.draw_series(LineSeries::new(
            rows.iter().map(|r| (x(r), tok(r.supply))),
            &BLUE,
        ))?
        .label("supply")
        .legend(|(a, b)| PathElement::new(vec![(a, b), (a + 20, b)], BLUE));
        c.configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw()?;
        // 2. flows per epoch
        let max_flow = rows
            .iter()
            .map(|r| {
                tok(r.emitted)
                    .max(tok(r.tokens_burned))
                    .max(tok(r.reminted))
            })
            .fold(0.0, f64::max)
            * 1.05
            + 1.0;
        let mut c = ChartBuilder::on(&panels[1])
            .margin(12)
            .caption("per epoch (tokens)", ("sans-serif", 18))
            .x_label_area_size(30)
            .y_label_area_size(90)
            .build_cartesian_2d(0f64..last_x, 0f64..max_flow)?;
        c.configure_mesh()
            .x_desc("years")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()?;
        for (name, color, f) in [
            ("emitted", GREEN, (|r: &Row| r.emitted) as fn(&Row) -> u64),
            ("burned for credits", RED, |r: &Row| r.tokens_burned),
            ("re-minted", MAGENTA, |r: &Row| r.reminted),
        ] {
            c.draw_series(LineSeries::new(
                rows.iter().map(|r| (x(r), tok(f(r)))),
                &color,
            ))?
            .label(name)
            .legend(move |(a, b)| PathElement::new(vec![(a, b), (a + 20, b)], color));
        }
        c.configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw()?;
        // 3. net issuance
        let net = |r: &Row| r.net_issuance as f64 / unit;
        let lo = rows.iter().map(net).fold(0.0, f64::min) * 1.05 - 1.0;
        let hi = rows.iter().map(net).fold(0.0, f64::max) * 1.05 + 1.0;
        let mut c = ChartBuilder::on(&panels[2])
            .margin(12)
            .caption(
                "net issuance per epoch: emitted + re-minted − burned (tokens)",
                ("sans-serif", 18),
            )
            .x_label_area_size(30)
            .y_label_area_size(90)
            .build_cartesian_2d(0f64..last_x, lo..hi)?;
        c.configure_mesh()
            .x_desc("years")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()?;
        c.draw_series(LineSeries::new(
            vec![(0.0, 0.0), (last_x, 0.0)],
            &BLACK.mix(0.4),
        ))?;
        c.draw_series(LineSeries::new(rows.iter().map(|r| (x(r), net(r))), &BLUE))?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| anyhow::anyhow!("drawing {}: {e}", path.display()))
}

/// Runs `scenario`, writes `<out>/<name>.csv` and `<out>/<name>.png`.
pub fn simulate(scenario: &Path, out: &Path, progress: bool) -> Result<Summary> {
    let s = Scenario::load(scenario)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let pb = if progress {
        indicatif::ProgressBar::new(s.epochs())
    } else {
        indicatif::ProgressBar::hidden()
    };
    let rows = s.run(|e| pb.set_position(e))?;
    pb.finish_and_clear();
    let stem: String = s
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let csv: PathBuf = out.join(format!("{stem}.csv"));
    let png: PathBuf = out.join(format!("{stem}.png"));
    write_csv(&rows, &csv)?;
    write_png(&s, &rows, &png)?;
    Ok(Summary {
        scenario: s.name.clone(),
        epochs: rows.len() as u64,
        final_supply: rows.last().map_or(s.genesis_supply, |r| r.supply),
        emitted_total: rows.iter().map(|r| r.emitted).sum(),
        reminted_total: rows.iter().map(|r| r.reminted).sum(),
        burned_total: rows.iter().map(|r| r.tokens_burned).sum(),
        max_remint: rows.iter().map(|r| r.reminted).max().unwrap_or(0),
        credits_unmet_total: rows.iter().map(|r| r.credits_unmet).sum(),
        csv: Some(csv.display().to_string()),
        png: Some(png.display().to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Scenario {
        let s: Scenario = toml::from_str(text).unwrap();
        s.check().unwrap();
        s
    }

    const SMALL: &str = r#"
        name = "small"
        years = 2
        genesis_supply = 1_000_000_000
        [schedule]
        initial_per_epoch = 5_000_000
        halving_interval_epochs = 365
        max_supply = 100_000_000_000
        bme_share_bps = 5000
        bme_cap_per_epoch = 1_000_000
        [usage]
        initial_nodes = 100
        node_growth_bps_per_year = 10000
        usd_per_node_per_epoch = "0.50"
        [price]
        path = [ { day = 0, usd = "2.00" }, { day = 365, usd = "4.00" } ]
    "#;

    #[test]
    fn every_epoch_reconciles_on_integer_math() {
        let s = scenario(SMALL);
        let rows = s.run(|_| {}).unwrap();
        assert_eq!(rows.len(), 730);
        let mut supply = s.genesis_supply;
        for r in &rows {
            supply = supply + r.emitted + r.reminted - r.tokens_burned;
            assert_eq!(r.supply, supply);
            assert!(r.reminted <= 1_000_000, "capped");
            assert!(u128::from(r.reminted) * 2 <= u128::from(r.tokens_burned) + 1);
            assert_eq!(
                r.net_issuance,
                i128::from(r.emitted) + i128::from(r.reminted) - i128::from(r.tokens_burned)
            );
        }
        // emission is the schedule's, exactly
        let emitted: u64 = rows.iter().map(|r| r.emitted).sum();
        assert_eq!(emitted, s.schedule().emitted_through(730));
        // nodes double in a year (compounded daily from +100 %: a little more than double)
        assert!(
            rows[365].nodes >= 200 && rows[365].nodes < 280,
            "{}",
            rows[365].nodes
        );
        // the price path: linear, then flat
        assert_eq!(rows[0].price, 200_000_000); // conf 0: the price as given
        assert_eq!(s.price_at(182).unwrap(), 299_726_027);
        assert_eq!(s.price_at(700).unwrap(), 400_000_000);
        // and the same run gives the same rows
        assert_eq!(s.run(|_| {}).unwrap(), rows);
    }

    #[test]
    fn credits_are_bought_at_the_conservative_price() {
        let s = scenario(SMALL);
        let rows = s.run(|_| {}).unwrap();
        let r = &rows[0];
        // 100 nodes × $0.50 = $50 = 5,000,000 credits at $2.00: 25 tokens (6 decimals)
        assert_eq!(r.credits_burned, 5_000_000);
        assert_eq!(r.tokens_burned, 25_000_000);
        assert_eq!(r.reminted, 1_000_000); // half is 12.5 tokens: the cap
    }

    #[test]
    fn bad_scenarios_are_refused() {
        for (bad, why) in [
            (SMALL.replace("years = 2", "years = 0"), "years"),
            (SMALL.replace("\"2.00\"", "\"-2\""), "decimal"),
            (
                SMALL.replace("bme_share_bps = 5000", "bme_share_bps = 20000"),
                "bme_share_bps",
            ),
            (SMALL.replace("day = 365", "day = 0"), "increase"),
        ] {
            let s: Scenario = toml::from_str(&bad).unwrap();
            let err = format!("{:#}", s.check().unwrap_err());
            assert!(err.contains(why), "{why}: {err}");
        }
        assert!(toml::from_str::<Scenario>(&SMALL.replace("years", "yeras")).is_err());
    }

    #[test]
    fn the_shipped_scenarios_run_and_draw() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["helium-like", "gpu-compute"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../examples/scenarios")
                .join(format!("{name}.toml"));
            let sum = simulate(&path, dir.path(), false).unwrap();
            assert!(sum.epochs > 365);
            let png = std::fs::read(sum.png.unwrap()).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            let csv = std::fs::read_to_string(sum.csv.unwrap()).unwrap();
            assert_eq!(csv.lines().count() as u64, sum.epochs + 1);
            assert!(sum.burned_total > 0 && sum.reminted_total > 0);
        }
    }
}
