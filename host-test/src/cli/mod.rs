//! The command line: run the component against a Jira site or the built-in
//! fake tenant, and write what it found. This module hands each command to
//! its own; the arguments are in [`args`], the progress shown and the
//! summary printed in [`report`].

mod apply;
mod args;
mod bench;
mod explain;
mod extract;
mod package;
mod privileged;
mod report;
mod serve;
mod session;
mod upload;

pub use apply::apply;
pub use args::{
    ApplyArgs, BenchArgs, Cli, Command, ExplainArgs, ExtractArgs, Format, PackageArgs,
    PrivilegedArgs, PullArgs, PushArgs, ReportFormat, ServeArgs, Target, UploadArgs,
};
pub use explain::explain;
pub use extract::extract;
pub use package::{package, pull, push};
pub use privileged::privileged;
pub use report::{Reporter, Summary};
pub use serve::serve;
pub use session::{Session, connect};
pub use upload::upload;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Extract(args) => extract(args).await.map(drop),
        Command::Bench(args) => bench::run(args).await.map(drop),
        Command::Package(args) => {
            let digest = package(&args)?;
            println!("{digest}");
            Ok(())
        }
        Command::Push(args) => push(&args).await,
        Command::Pull(args) => pull(&args).await,
        Command::Apply(args) => {
            let outcome = apply(args).await?;
            println!("{}", serde_json::to_string_pretty(&outcome)?);
            Ok(())
        }
        Command::Explain(args) => {
            println!("{}", explain(&args)?);
            Ok(())
        }
        Command::Privileged(args) => {
            print!("{}", privileged(&args)?);
            Ok(())
        }
        Command::Serve(args) => serve(args).await,
        Command::Upload(args) => {
            let summary = upload(args).await?;
            print!("{summary}");
            Ok(())
        }
    }
}
