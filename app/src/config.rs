//! Solana CLI conventions: the config file for defaults, URL monikers, keypair files.
use anyhow::{Context, Result};
use solana_keypair::Keypair;
use std::path::{Path, PathBuf};

/// Where the cluster is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cluster {
    /// A fresh in-process runtime (lives as long as the command).
    Embedded,
    Rpc(String),
}

/// Expands `devnet`, `mainnet-beta`, `testnet`, `localhost` (and their one-letter forms)
/// the way the `solana` CLI does; `embedded` selects the in-process runtime. Anything else
/// must be an http(s) URL with a host, refused before any request otherwise.
pub fn resolve_url(url: &str) -> Result<Cluster> {
    Ok(match url {
        "embedded" | "e" => Cluster::Embedded,
        "mainnet-beta" | "m" => Cluster::Rpc("https://api.mainnet-beta.solana.com".into()),
        "devnet" | "d" => Cluster::Rpc("https://api.devnet.solana.com".into()),
        "testnet" | "t" => Cluster::Rpc("https://api.testnet.solana.com".into()),
        "localhost" | "l" => Cluster::Rpc("http://localhost:8899".into()),
        other => {
            let ok = reqwest::Url::parse(other).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
            anyhow::ensure!(
                ok,
                "`{other}` is not a cluster: give mainnet-beta, devnet, testnet, localhost, \
                 embedded (or m, d, t, l, e) or an http(s) URL"
            );
            Cluster::Rpc(other.to_string())
        }
    })
}

/// Defaults read from the solana CLI config file.
#[derive(Debug, Clone)]
pub struct CliDefaults {
    pub json_rpc_url: String,
    pub keypair_path: PathBuf,
}

/// Loads `path` or the standard solana CLI config; falls back to the solana CLI's own
/// defaults (localhost, ~/.config/solana/id.json) when no file exists.
pub fn load_defaults(path: Option<&Path>) -> Result<CliDefaults> {
    let file = match path {
        Some(p) => Some(p.to_path_buf()),
        None => solana_cli_config::CONFIG_FILE.as_ref().map(PathBuf::from),
    };
    let fallback = solana_cli_config::Config::default();
    let cfg = match file {
        Some(f) if f.exists() => {
            let text = std::fs::read_to_string(&f)
                .with_context(|| format!("reading solana CLI config {}", f.display()))?;
            serde_yaml::from_str::<solana_cli_config::Config>(&text)
                .map_err(|e| anyhow::anyhow!("solana CLI config {}: {e}", f.display()))?
        }
        Some(f) if path.is_some() => anyhow::bail!("config file {} does not exist", f.display()),
        _ => fallback,
    };
    Ok(CliDefaults {
        json_rpc_url: cfg.json_rpc_url,
        keypair_path: PathBuf::from(cfg.keypair_path),
    })
}

pub fn read_keypair(path: &Path) -> Result<Keypair> {
    solana_keypair::read_keypair_file(path)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("reading keypair file {}", path.display()))
}

pub fn write_keypair(keypair: &Keypair, path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    solana_keypair::write_keypair_file(keypair, path)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("writing keypair file {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers() {
        assert_eq!(resolve_url("embedded").unwrap(), Cluster::Embedded);
        assert_eq!(
            resolve_url("devnet").unwrap(),
            Cluster::Rpc("https://api.devnet.solana.com".into())
        );
        assert_eq!(
            resolve_url("l").unwrap(),
            Cluster::Rpc("http://localhost:8899".into())
        );
        assert_eq!(
            resolve_url("http://x:1").unwrap(),
            Cluster::Rpc("http://x:1".into())
        );
        for bad in ["devnett", "ftp://x", "http://", "127.0.0.1:8899"] {
            let e = resolve_url(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("`{bad}` is not a cluster")), "{e}");
        }
    }

    #[test]
    fn config_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.yml");
        std::fs::write(
            &p,
            "json_rpc_url: https://api.devnet.solana.com\nwebsocket_url: ''\nkeypair_path: /k/id.json\naddress_labels: {}\ncommitment: confirmed\n",
        )
        .unwrap();
        let d = load_defaults(Some(&p)).unwrap();
        assert_eq!(d.json_rpc_url, "https://api.devnet.solana.com");
        assert_eq!(d.keypair_path, PathBuf::from("/k/id.json"));
        assert!(load_defaults(Some(&dir.path().join("none.yml"))).is_err());
    }
}
