//! `tamara-sandbox`: run the offline Tamara stand-in (see the crate docs).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;
use tamara_core::{ApiToken, NotificationToken};
use tamara_sandbox::config::{
    parse_limits, Config, DEV_API_TOKEN, DEV_NOTIFICATION_TOKEN, DEV_PUBLIC_KEY,
};
use tamara_sandbox::SandboxState;

/// A stateful, offline stand-in for Tamara's merchant API.
#[derive(Debug, Parser)]
#[command(name = "tamara-sandbox", version)]
struct Cli {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 7070)]
    port: u16,
    /// API token merchants must send as `Authorization: Bearer`.
    #[arg(long, env = "TAMARA_SANDBOX_API_TOKEN", default_value = DEV_API_TOKEN)]
    api_token: String,
    /// Notification token (HS256 secret of webhook tokens).
    #[arg(long, env = "TAMARA_SANDBOX_NOTIFICATION_TOKEN", default_value = DEV_NOTIFICATION_TOKEN)]
    notification_token: String,
    /// Public key for widgets.
    #[arg(long, default_value = DEV_PUBLIC_KEY)]
    public_key: String,
    /// Base URL the browser uses for checkout pages and SMS links (default: the bound address).
    #[arg(long)]
    public_url: Option<String>,
    /// Persist the state to this JSON file (reloaded at start).
    #[arg(long)]
    store: Option<PathBuf>,
    /// Capture the whole amount on authorise.
    #[arg(long)]
    auto_capture: bool,
    /// Approved orders are authorised and captured at once.
    #[arg(long)]
    auto_authorise: bool,
    /// Minimum PAY_BY_INSTALMENTS amount in every market (decimal, e.g. 50.00).
    #[arg(long)]
    min_amount: Option<String>,
    /// Maximum PAY_BY_INSTALMENTS amount in every market (decimal, e.g. 5000.00).
    #[arg(long)]
    max_amount: Option<String>,
    /// Do not print a line per request.
    #[arg(long)]
    quiet: bool,
    /// Payment types per market, JSON `{"SA": [<GET /checkout/payment-types entry>...]}` or
    /// `@file.json`.
    #[arg(long)]
    limits: Option<String>,
}

fn build(cli: &Cli, port: u16) -> Result<Config, String> {
    let mut config = Config {
        api_token: ApiToken::new(cli.api_token.clone()),
        notification_token: NotificationToken::new(cli.notification_token.clone()),
        public_key: cli.public_key.clone(),
        public_url: cli
            .public_url
            .clone()
            .unwrap_or_else(|| match cli.bind {
                IpAddr::V6(a) => format!("http://[{a}]:{port}"),
                IpAddr::V4(a) if a.is_unspecified() => format!("http://127.0.0.1:{port}"),
                IpAddr::V4(a) => format!("http://{a}:{port}"),
            })
            .trim_end_matches('/')
            .to_owned(),
        auto_capture: cli.auto_capture,
        auto_authorise: cli.auto_authorise,
        log_requests: !cli.quiet,
        ..Config::default()
    };
    if config.api_token.is_empty() || config.notification_token.is_empty() {
        return Err("--api-token and --notification-token must not be empty".to_owned());
    }
    if let Some(l) = &cli.limits {
        let text = match l.strip_prefix('@') {
            Some(path) => {
                std::fs::read_to_string(path).map_err(|e| format!("--limits {path}: {e}"))?
            }
            None => l.clone(),
        };
        config.limits.extend(parse_limits(&text)?);
    }
    config.set_instalment_limits(cli.min_amount.as_deref(), cli.max_amount.as_deref())?;
    Ok(config)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("tamara-sandbox: shutting down");
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let listener = match tokio::net::TcpListener::bind((cli.bind, cli.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tamara-sandbox: cannot bind {}:{}: {e}", cli.bind, cli.port);
            std::process::exit(2);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(cli.port);
    let config = match build(&cli, port) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tamara-sandbox: {e}");
            std::process::exit(2);
        }
    };
    let state = match &cli.store {
        Some(path) => match SandboxState::with_store(config.clone(), path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("tamara-sandbox: {e}");
                std::process::exit(2);
            }
        },
        None => SandboxState::new(config.clone()),
    };
    // This is a local development sandbox: printing its own dev credentials is intended.
    println!("tamara-sandbox listening on http://{}:{port}", cli.bind);
    println!("  public url          {}", config.public_url);
    println!("  api token           {}", config.api_token.expose());
    println!(
        "  notification token  {}",
        config.notification_token.expose()
    );
    println!("  public key          {}", config.public_key);
    println!(
        "  auto-capture {} · auto-authorise {}",
        config.auto_capture, config.auto_authorise
    );
    match &cli.store {
        Some(p) => println!(
            "  store               {} ({} orders loaded)",
            p.display(),
            state.lock().data.orders.len()
        ),
        None => println!("  store               in memory"),
    }
    println!("  control api         {}/_sandbox/clock", config.public_url);
    if let Err(e) = tamara_sandbox::serve(listener, state.clone(), shutdown_signal()).await {
        eprintln!("tamara-sandbox: server error: {e}");
    }
    state.save();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_builds_the_config() {
        let cli = Cli::parse_from(["tamara-sandbox", "--auto-authorise", "--max-amount", "9000"]);
        let c = build(&cli, 7071).unwrap();
        assert_eq!(c.public_url, "http://127.0.0.1:7071");
        assert_eq!(c.api_token.expose(), DEV_API_TOKEN);
        assert!(c.auto_authorise && !c.auto_capture && c.log_requests);
        let sa = &c.limits[&tamara_core::Country::Sa][0];
        assert_eq!(sa.max_limit.to_decimal_string(), "9000.00");
        let cli = Cli::parse_from([
            "tamara-sandbox",
            "--bind",
            "0.0.0.0",
            "--public-url",
            "https://sandbox.example/",
            "--quiet",
        ]);
        let c = build(&cli, 1).unwrap();
        assert_eq!(c.public_url, "https://sandbox.example");
        assert!(!c.log_requests);
        let cli = Cli::parse_from(["tamara-sandbox", "--bind", "0.0.0.0"]);
        assert_eq!(build(&cli, 5).unwrap().public_url, "http://127.0.0.1:5");
        let cli = Cli::parse_from(["tamara-sandbox", "--notification-token", ""]);
        assert!(build(&cli, 5).is_err());
    }
}
