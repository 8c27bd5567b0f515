use clap::Parser;
use closer_server::app;
use closer_server::config::{Cli, Command};
use std::process::ExitCode;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn init_tracing(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// A dependency-free GET /healthz, so the check works in a minimal container.
async fn healthcheck(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let mut stream =
        tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr))
            .await??;
    let req = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await??;
    let head = String::from_utf8_lossy(&buf);
    if head.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        anyhow::bail!("unhealthy: {}", head.lines().next().unwrap_or("no answer"))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => {
            init_tracing(args.log_format == "json");
            match app::start(&args).await {
                Ok(running) => {
                    tracing::info!(addr = %running.addr, "Closer is serving on http://{}", running.addr);
                    shutdown_signal().await;
                    tracing::info!("shutting down");
                    let _ = running.shutdown.send(());
                    running
                        .task
                        .await
                        .map_err(anyhow::Error::from)
                        .and_then(|r| r)
                }
                Err(e) => Err(e),
            }
        }
        Command::Migrate(db) => {
            init_tracing(false);
            async {
                std::fs::create_dir_all(&db.data_dir)?;
                let store = closer_store::Store::connect(&db.database_url()).await?;
                store.migrate().await?;
                tracing::info!("migrations applied");
                Ok(())
            }
            .await
        }
        Command::Healthcheck(args) => healthcheck(args.listen).await,
        Command::SeedDemo(args) => closer_server::seed_demo::run(&args).await.map(|owner| {
            println!("{owner}");
        }),
        Command::Rollups(closer_server::config::RollupsCommand::Rebuild(db)) => {
            init_tracing(false);
            rebuild_rollups(&db).await
        }
        Command::Openapi => app::openapi()
            .to_pretty_json()
            .map(|json| println!("{json}"))
            .map_err(Into::into),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("closer: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `closer rollups rebuild`: recomputes the analytics rollups and says how long it took.
async fn rebuild_rollups(db: &closer_server::config::DbArgs) -> anyhow::Result<()> {
    let store = closer_store::Store::connect(&db.database_url()).await?;
    store.migrate().await?;
    let done = store.rebuild_rollups().await?;
    println!(
        "rebuilt analytics rollups: {} leads, {} conversations, {} messages -> {} rollup rows in {:.2} s",
        done.leads,
        done.conversations,
        done.messages,
        done.rollup_rows,
        done.elapsed.as_secs_f64()
    );
    Ok(())
}
