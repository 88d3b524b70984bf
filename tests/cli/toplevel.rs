//! The command tree as a whole: its help (one snapshot, so a renamed flag is a visible diff),
//! completions, man pages, configuration precedence, the demo and exit code 2 for clap errors.

use clap::CommandFactory;
use predicates::prelude::*;

use crate::common::{sandbox, stderr, stdout, TestEnv};

fn all_help(cmd: &mut clap::Command, prefix: &str, out: &mut String) {
    let name = format!("{prefix}{}", cmd.get_name());
    out.push_str(&format!("==== {name}\n"));
    out.push_str(&cmd.render_long_help().to_string());
    out.push('\n');
    let subs: Vec<clap::Command> = cmd.get_subcommands().cloned().collect();
    for mut sub in subs {
        all_help(&mut sub, &format!("{name} "), out);
    }
}

#[test]
fn help_of_the_whole_tree() {
    let mut cmd = licctl::cli::Cli::command().term_width(100);
    cmd.build();
    let mut text = String::new();
    all_help(&mut cmd, "", &mut text);
    insta::assert_snapshot!("command_tree_help", text);
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    env.cmd().arg("no-such-group").assert().code(2).stdout("");
    env.cmd()
        .args(["bigfix", "metrics", "frobnicate"])
        .assert()
        .code(2);
    env.cmd()
        .args(["sandbox", "--chaos", "1.5"])
        .assert()
        .code(2);
    env.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("licctl "));
}

#[test]
fn completions_and_man_pages() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = env.cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        assert!(stdout(&out).contains("bigfix-metrics"), "{shell}");
    }
    let man = env.cmd().arg("man").output().unwrap();
    assert!(stdout(&man).contains(".TH licctl"), "{}", stdout(&man));
    let dir = env.path().join("man");
    env.cmd()
        .args(["man", "--dir"])
        .arg(&dir)
        .assert()
        .success()
        .stdout("");
    assert!(dir.join("licctl.1").exists());
    assert!(dir.join("licctl-bigfix-metrics.1").exists());
}

#[test]
fn configuration_precedence_flag_env_file() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let token = sb.credentials().bigfix_token.clone();
    // The file points at a dead port; the environment at the sandbox: env wins.
    env.write_config(&format!(
        "default_profile = \"prod\"\n[profiles.prod.bigfix-metrics]\nurl = \"http://127.0.0.1:9\"\ntoken = \"{token}\"\n\
         [profiles.other.bigfix-metrics]\nurl = \"{}\"\ntoken = {{ env = \"MY_BFI_TOKEN\" }}\n",
        sb.base_url()
    ));
    env.cmd()
        .env("LICCTL_BIGFIX_URL", sb.base_url())
        .args(["bigfix", "metrics", "list", "--max-items", "1"])
        .assert()
        .success();
    // The file alone (profile prod) points at the dead port.
    env.cmd()
        .args(["bigfix", "metrics", "list", "--retries", "0"])
        .assert()
        .code(7);
    // --profile picks another profile whose token comes from another variable.
    env.cmd()
        .env("MY_BFI_TOKEN", &token)
        .args([
            "--profile",
            "other",
            "bigfix",
            "metrics",
            "list",
            "--max-items",
            "1",
        ])
        .assert()
        .success();
    // An unknown profile is a configuration error naming the ones that exist.
    env.cmd()
        .args(["--profile", "nope", "bigfix", "metrics", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("prod"));
    // show --origin tells where each value came from, and never the secret.
    let out = env
        .cmd()
        .env("LICCTL_BIGFIX_URL", sb.base_url())
        .args(["config", "show", "--origin", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains(&token), "{text}");
    let rows: serde_json::Value = serde_json::from_str(&text).unwrap();
    let url = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "url" && r["section"] == "bigfix-metrics")
        .unwrap();
    assert!(
        url["origin"]
            .as_str()
            .unwrap()
            .contains("LICCTL_BIGFIX_URL"),
        "{url}"
    );
}

#[test]
fn config_path_and_init() {
    let env = TestEnv::new();
    let out = env.cmd().args(["config", "path"]).output().unwrap();
    assert_eq!(stdout(&out).trim(), env.config_path().display().to_string());
    env.cmd().args(["config", "init"]).assert().success();
    assert!(env.config_path().exists());
    env.cmd()
        .args(["config", "init"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    env.cmd()
        .args(["config", "init", "--force"])
        .assert()
        .success();
    // The template parses: commands still run with it.
    env.cmd().args(["config", "show"]).assert().success();
    // An explicit config file that does not exist is a configuration error...
    env.cmd()
        .args(["--config", "/no/such/licctl.toml", "config", "show"])
        .assert()
        .code(3);
    // ...except for `config init`, which creates it, and `config path`, which names it.
    let other = env.path().join("elsewhere.toml");
    env.cmd()
        .arg("--config")
        .arg(&other)
        .args(["config", "init"])
        .assert()
        .success();
    assert!(other.exists());
    env.cmd()
        .env("LICCTL_CONFIG", env.path().join("new.toml"))
        .args(["config", "path"])
        .assert()
        .success();
}

#[test]
fn demo_builds_a_monthly_bundle_against_the_sandbox() {
    let env = TestEnv::new();
    let out_dir = env.path().join("bundles");
    let out = env
        .cmd()
        .args(["demo", "-o", "json", "--month", "2026-10", "--out-dir"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("$ licctl usage monthly --month 2026-10 --out-dir"),
        "{text}"
    );
    assert!(text.contains("$ licctl usage show"), "{text}");
    let bundle = out_dir.join("2026-10");
    // All five emulated vendors made it into the bundle.
    for f in [
        "manifest.json",
        "usage.csv",
        "usage.jsonl",
        "raw/ocreporter.json",
        "raw/otc-dashboard.json",
        "raw/acronis-reports.json",
        "raw/bigfix-metrics.json",
        "raw/veeam-vspc.json",
    ] {
        assert!(bundle.join(f).is_file(), "{f} missing");
    }
    assert!(
        stderr(&out).contains(&format!("the bundle is in {}", bundle.display())),
        "{}",
        stderr(&out)
    );
}
