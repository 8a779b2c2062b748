//! `extract`: run a whole extraction, write it in the chosen format, and
//! print the summary. With `--format ndjson --resume FILE`, a run that
//! stops leaves a cursor in FILE, and the same command carries on from it.
//! With `--format balkanid --upload`, the files written are then uploaded
//! to BalkanID, as `upload` does.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context as _, bail};

use super::args::{ExtractArgs, Format};
use super::report::{Reporter, Summary};
use super::session::connect;
use crate::balkanid::{self as balkanid_api, ApiKey, UploadOptions};
use crate::output::{balkanid, json, ndjson};
use crate::runtime::Plugin;

pub async fn extract(args: ExtractArgs) -> anyhow::Result<Summary> {
    if args.format == Format::Balkanid && args.out.is_none() {
        bail!("--format balkanid writes three files. Give their directory with --out DIR.");
    }
    if args.resume.is_some() && (args.format != Format::Ndjson || args.out.is_none()) {
        bail!("--resume needs --format ndjson and --out FILE. Only a stream can be continued.");
    }
    if args.upload.enabled && args.format != Format::Balkanid {
        bail!("--upload sends BalkanID's files. Use it with --format balkanid --out DIR.");
    }
    // The key is read before the long run, so a missing one costs nothing.
    let upload = if args.upload.enabled {
        let key = ApiKey::from_env()?;
        Some(UploadOptions::new(
            args.upload.api_url.clone(),
            key,
            args.upload.entitlements,
        ))
    } else {
        None
    };
    let started = Instant::now();
    let mut session = connect(&args.target).await?;
    let plugin = &mut session.plugin;

    let mut summary = Summary::default();
    match args.format {
        Format::Ndjson => {
            stream(
                plugin,
                args.out.as_deref(),
                args.resume.as_deref(),
                &mut summary,
            )
            .await?;
        }
        Format::Json | Format::Balkanid => {
            let mut reporter = Reporter::new();
            let extracted = plugin
                .extract_all(|b| {
                    reporter.batch(b);
                    summary.count(b);
                })
                .await?;
            reporter.finish();
            let writing = Instant::now();
            if args.format == Format::Json {
                json::write(&extracted, args.out.as_deref())?;
            } else {
                let dir = args.out.as_deref().expect("checked above");
                balkanid::write(&extracted, &session.info.site_url, dir)?;
            }
            summary.write_time = Some(writing.elapsed());
        }
    }
    summary.count_requests(&plugin.requests());
    summary.connections = Some(plugin.connections());
    summary.startup = Some(session.startup.clone());
    if !summary.resumed {
        summary.count_privileged();
    }
    summary.print(
        session.minimum_requests,
        started.elapsed(),
        session.plugin.peak_memory(),
        args.out.as_deref(),
    );
    if let (Some(options), Some(dir)) = (upload, args.out.as_deref()) {
        let uploaded = balkanid_api::upload(dir, &options).await?;
        print!("{uploaded}");
    }
    Ok(summary)
}

/// Streams each batch's records to `out` as they arrive. With `resume`,
/// carries on from the cursor there if there is one, appending to `out`,
/// and leaves the cursor there if the run stops.
async fn stream(
    plugin: &mut Plugin,
    out: Option<&Path>,
    resume: Option<&Path>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let cursor = match resume {
        Some(path) if path.exists() => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the resume cursor {}", path.display()))?,
        ),
        _ => None,
    };
    let mut sink = ndjson::open(out, cursor.is_some())?;
    summary.resumed = cursor.is_some();
    if cursor.is_some() {
        eprintln!(
            "resuming from {}",
            resume.map(|p| p.display().to_string()).unwrap_or_default()
        );
    }
    let mut failure: Option<std::io::Error> = None;
    let mut reporter = Reporter::new();
    let result = plugin
        .extract_resumable(cursor.as_deref(), |batch| {
            reporter.batch(&batch);
            summary.count(&batch);
            if failure.is_none() {
                failure = ndjson::write_batch(&mut sink, &batch).err();
            }
        })
        .await;
    reporter.finish();
    if let Some(e) = failure {
        return Err(e).context("writing ndjson");
    }
    sink.flush()?;
    match result {
        Ok(_) => {
            if let Some(path) = resume.filter(|p| p.exists()) {
                std::fs::remove_file(path)
                    .with_context(|| format!("removing the spent cursor {}", path.display()))?;
            }
            Ok(())
        }
        Err(interrupted) => {
            if let (Some(path), Some(cursor)) = (resume, &interrupted.cursor) {
                std::fs::write(path, cursor)
                    .with_context(|| format!("writing the resume cursor {}", path.display()))?;
                eprintln!(
                    "The extraction stopped. Run the same command again to carry on from {}.",
                    path.display()
                );
            }
            Err(interrupted.error.into())
        }
    }
}
