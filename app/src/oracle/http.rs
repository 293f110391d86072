//! A small blocking HTTP client (reqwest on a private runtime) for code that is not async:
//! the epoch run's peer pull, `depin rewards claim --oracle`, the demo's devices.
use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use std::time::Duration;

pub struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

/// What a POST returned.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Http {
    pub fn new(timeout: Duration) -> Result<Self> {
        Ok(Http {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the HTTP client's runtime")?,
            client: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .context("building the HTTP client")?,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T> {
        self.rt.block_on(async {
            let r = self
                .client
                .get(url)
                .send()
                .await
                .with_context(|| format!("GET {url}"))?;
            let status = r.status();
            let text = r
                .text()
                .await
                .with_context(|| format!("reading GET {url}"))?;
            anyhow::ensure!(status.is_success(), "GET {url}: {status}: {text}");
            serde_json::from_str(&text).with_context(|| format!("GET {url}: unexpected body"))
        })
    }

    pub fn post(&self, url: &str, content_type: &str, body: Vec<u8>) -> Result<Reply> {
        self.rt.block_on(async {
            let r = self
                .client
                .post(url)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .with_context(|| format!("POST {url}"))?;
            let status = r.status().as_u16();
            let body = r
                .text()
                .await
                .with_context(|| format!("reading POST {url}"))?;
            Ok(Reply { status, body })
        })
    }
}
