//! `licctl config init | show | path`: create, inspect and locate the configuration file.
//!
//! `show` answers "which url/profile/credential is this run going to use, and why" without
//! ever resolving a secret (no `{ command = ... }` runs) or printing one.

use std::path::Path;

use serde_json::{json, Value};

use crate::config::{write_private_file, Config, VENDORS};
use crate::error::{Error, Result};
use crate::output::{self, OutputOptions};

/// The `licctl config` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Write a commented configuration template to the config path
    ///
    /// Every key of every vendor section is present but commented out, next to the
    /// environment variable that overrides it. Missing directories are created; the file gets
    /// mode 0600. An existing file is only replaced with --force. Prints the path written.
    Init {
        /// Replace an existing configuration file
        #[arg(long)]
        force: bool,
    },
    /// Show the effective configuration of the active profile
    ///
    /// One row per key that has a value, from the environment or the file. Secrets are
    /// shown as *** and never resolved (no secret command is run).
    Show {
        /// Add a column telling where each value comes from (flag, env VAR, file ... [profile P])
        #[arg(long)]
        origin: bool,
    },
    /// Print the path of the configuration file, whether or not it exists
    ///
    /// --config, else $LICCTL_CONFIG, else $XDG_CONFIG_HOME/licctl/config.toml, else
    /// ~/.config/licctl/config.toml.
    Path,
}

/// Runs a `licctl config` subcommand.
///
/// `explicit_path` is `--config` as given; when present it is the file `init` and `path` act
/// on (it is also what `config` was loaded from), otherwise `config.path()` is.
pub async fn run(
    cmd: &ConfigCommand,
    config: &Config,
    explicit_path: Option<&Path>,
    out: &OutputOptions,
) -> Result<()> {
    let path = explicit_path
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| config.path());
    match cmd {
        ConfigCommand::Init { force } => {
            init(path, *force)?;
            output::print_text(out, &format!("{}\n", path.display()))
        }
        ConfigCommand::Show { origin } => {
            let columns: &[&str] = if *origin {
                &["section", "key", "value", "origin"]
            } else {
                &["section", "key", "value"]
            };
            let rows = show_rows(config, *origin);
            output::print_stream(
                out,
                columns,
                futures::stream::iter(rows.into_iter().map(Ok)),
            )
            .await
            .map(|_| ())
        }
        ConfigCommand::Path => output::print_text(out, &format!("{}\n", path.display())),
    }
}

/// The rows of `config show`: `{section, key, value[, origin]}` for every key of every vendor
/// section that has a value in the active profile, in [`VENDORS`] order.
///
/// Secret values are never resolved and always `***`; with `with_origin`, their origin says
/// where they would come from (`file ... [profile prod] via command`). Plain values pass
/// through redaction too, in case a url carries a `token=`.
pub fn show_rows(config: &Config, with_origin: bool) -> Vec<Value> {
    let mut rows = Vec::new();
    for spec in VENDORS {
        let vendor = config.vendor(spec.section);
        for key in spec.keys {
            let (value, origin) = if key.secret {
                match vendor.secret_origin(key.name) {
                    Some(origin) => (crate::http::redact::MASK.to_owned(), origin),
                    None => continue,
                }
            } else {
                match vendor.get(key.name) {
                    Some(s) => (crate::http::redact::scrub(&s.value), s.origin.to_string()),
                    None => continue,
                }
            };
            let mut row = json!({ "section": spec.section, "key": key.name, "value": value });
            if with_origin {
                row["origin"] = Value::String(origin);
            }
            rows.push(row);
        }
    }
    rows
}

/// Writes [`TEMPLATE`] to `path` (mode 0600, directories created). An existing file is a
/// usage error unless `force`: `init` never prompts and never clobbers by accident.
pub fn init(path: &Path, force: bool) -> Result<()> {
    if !force && path.symlink_metadata().is_ok() {
        return Err(
            Error::usage(format!("config file {} already exists", path.display()))
                .with_hint("use `licctl config init --force` to replace it with the template"),
        );
    }
    write_private_file(path, TEMPLATE.as_bytes())
}

/// The file `config init` writes: DESIGN.md §3's example with every key of every section
/// commented out, each next to the environment variable that overrides it.
pub const TEMPLATE: &str = r#"# licctl configuration file (written by `licctl config init`).
#
# Precedence: command-line flag > environment variable > this file > default.
# Each key can be overridden by the environment variable named next to it; those
# variables also work with no file at all.
#
# Profiles: pick one with --profile NAME or LICCTL_PROFILE, otherwise
# default_profile below, otherwise the profile named "default".
#
# Secrets (marked "secret") are never accepted as command-line flags. Here a secret
# takes one of these forms:
#     { env = "VAR" }              read from the environment variable VAR
#     { file = "/path/to/file" }   the file's content, trimmed
#     { command = "pass show x" }  the command's output, run only when needed
#     "literal"                    the secret itself: keep this file `chmod 600`
#
# Uncomment what you use; `licctl config show --origin` shows the result.

# default_profile = "prod"

# OC Reporter
# [profiles.prod.ocreporter]
# url = "https://ocreporter.example.com"     # LICCTL_OCREPORTER_URL
# workspace = "12"                           # LICCTL_OCREPORTER_WORKSPACE
# tenant = "OC-123456"                       # LICCTL_OCREPORTER_TENANT (the OCID, sent as _tenant)
# token = { env = "OCR_TOKEN" }              # LICCTL_OCREPORTER_TOKEN (secret)
# language = "en"                            # LICCTL_OCREPORTER_LANGUAGE

# OTC Enterprise Dashboard
# [profiles.prod.otc-dashboard]
# url = "https://api-enterprise-dashboard.otc-service.com"  # LICCTL_OTC_URL
# api_key = { env = "OTC_API_KEY" }          # LICCTL_OTC_API_KEY (secret)
# api_version = "v1"                         # LICCTL_OTC_API_VERSION ("v1" or "v2")
# grafana_user = "..."                       # LICCTL_OTC_GRAFANA_USER
# grafana_password = { env = "OTC_GRAFANA_PASSWORD" }  # LICCTL_OTC_GRAFANA_PASSWORD (secret)

# Acronis usage reports
# [profiles.prod.acronis-reports]
# url = "https://eu2-cloud.acronis.com"      # LICCTL_ACRONIS_URL
# client_id = "..."                          # LICCTL_ACRONIS_CLIENT_ID
# client_secret = { command = "pass show acronis" }  # LICCTL_ACRONIS_CLIENT_SECRET (secret)
# tenant_id = "..."                          # LICCTL_ACRONIS_TENANT_ID
# token = { env = "ACRONIS_TOKEN" }          # LICCTL_ACRONIS_TOKEN (secret)

# BigFix Inventory
# [profiles.prod.bigfix-metrics]
# url = "https://bfi.example.com:9081"       # LICCTL_BIGFIX_URL
# token = { file = "/etc/licctl/bfi.token" } # LICCTL_BIGFIX_TOKEN (secret)
# token_location = "query"                   # LICCTL_BIGFIX_TOKEN_LOCATION ("query": ?token=, or "header": Token:)

# Veeam Service Provider Console
# [profiles.prod.veeam-vspc]
# url = "https://vspc.example.com:1280"      # LICCTL_VEEAM_URL
# username = "svc-licctl"                    # LICCTL_VEEAM_USERNAME
# password = { env = "VSPC_PASSWORD" }       # LICCTL_VEEAM_PASSWORD (secret)
# api_key = { env = "VSPC_API_KEY" }         # LICCTL_VEEAM_API_KEY (secret; a ready bearer key instead of username/password)
"#;

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use super::*;
    use crate::error::ErrorKind;

    const PATH: &str = "/home/u/.config/licctl/config.toml";

    fn config(text: &str, vars: &[(&str, &str)]) -> Config {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_parts(PathBuf::from(PATH), Some(text), env, None).unwrap()
    }

    #[test]
    fn show_rows_never_contain_or_resolve_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("command-ran");
        let text = format!(
            r#"default_profile = "prod"
[profiles.prod.bigfix-metrics]
url = "https://bfi.example.com:9081"
[profiles.prod.veeam-vspc]
url = "https://vspc.example.com"
username = "svc"
password = "literal-show-secret-1"
api_key = {{ command = "touch '{}' && echo cmd-show-secret-2" }}
[profiles.prod.ocreporter]
workspace = 12
token = {{ env = "OCR_TOKEN" }}
"#,
            marker.display()
        );
        let c = config(
            &text,
            &[
                ("LICCTL_BIGFIX_TOKEN", "env-show-secret-3"),
                ("OCR_TOKEN", "env-show-secret-4"),
                ("LICCTL_OCREPORTER_URL", "https://ocr.env"),
            ],
        );
        let rows = show_rows(&c, true);
        let all = serde_json::to_string(&rows).unwrap();
        for secret in [
            "literal-show-secret-1",
            "cmd-show-secret-2",
            "env-show-secret-3",
            "env-show-secret-4",
        ] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        assert!(!marker.exists(), "show ran a secret command");

        let file = format!("file {PATH} [profile prod]");
        let expected = vec![
            json!({"section": "ocreporter", "key": "url", "value": "https://ocr.env", "origin": "env LICCTL_OCREPORTER_URL"}),
            json!({"section": "ocreporter", "key": "workspace", "value": "12", "origin": file}),
            json!({"section": "ocreporter", "key": "token", "value": "***", "origin": format!("{file} via env OCR_TOKEN")}),
            json!({"section": "bigfix-metrics", "key": "url", "value": "https://bfi.example.com:9081", "origin": file}),
            json!({"section": "bigfix-metrics", "key": "token", "value": "***", "origin": "env LICCTL_BIGFIX_TOKEN"}),
            json!({"section": "veeam-vspc", "key": "url", "value": "https://vspc.example.com", "origin": file}),
            json!({"section": "veeam-vspc", "key": "username", "value": "svc", "origin": file}),
            json!({"section": "veeam-vspc", "key": "password", "value": "***", "origin": file}),
            json!({"section": "veeam-vspc", "key": "api_key", "value": "***", "origin": format!("{file} via command")}),
        ];
        assert_eq!(rows, expected);

        let plain = show_rows(&c, false);
        assert_eq!(plain.len(), expected.len());
        assert!(plain.iter().all(|r| r.get("origin").is_none()));
        let keys: Vec<&String> = plain[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["section", "key", "value"]);
    }

    #[test]
    fn init_writes_0600_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/licctl/config.toml");
        init(&path, false).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), TEMPLATE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        std::fs::write(&path, "# mine\n").unwrap();
        let e = init(&path, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(
            e.hints().iter().any(|h| h.contains("--force")),
            "{:?}",
            e.hints()
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");

        init(&path, true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), TEMPLATE);
    }

    #[test]
    fn template_is_inert_and_complete_once_uncommented() {
        // As written, it configures nothing.
        let c = config(TEMPLATE, &[]);
        assert!(c.profiles().is_empty());
        assert!(show_rows(&c, false).is_empty());

        // Uncommenting every setting gives a valid file that sets every key, with no
        // warnings, and names every variable.
        let uncommented: String = TEMPLATE
            .lines()
            .map(|l| {
                let rest = l.strip_prefix("# ").unwrap_or("");
                let is_setting = rest.starts_with('[')
                    || rest.split_once(" = ").is_some_and(|(k, _)| {
                        !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    });
                if is_setting {
                    format!("{rest}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        let c = config(&uncommented, &[]);
        assert_eq!(c.profile_name(), "prod");
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        for spec in VENDORS {
            assert!(TEMPLATE.contains(&format!("[profiles.prod.{}]", spec.section)));
            for key in spec.keys {
                assert!(
                    TEMPLATE.contains(&spec.env_var(key.name)),
                    "{}",
                    spec.env_var(key.name)
                );
                let v = c.vendor(spec.section);
                let set = if key.secret {
                    v.secret_origin(key.name).is_some()
                } else {
                    v.get(key.name).is_some()
                };
                assert!(
                    set,
                    "{} {} missing from the template",
                    spec.section, key.name
                );
            }
        }
    }

    #[test]
    fn subcommands_parse() {
        use clap::Parser;
        #[derive(Debug, clap::Parser)]
        struct Cli {
            #[command(subcommand)]
            cmd: ConfigCommand,
        }
        <Cli as clap::CommandFactory>::command().debug_assert();
        let cli = Cli::try_parse_from(["config", "init", "--force"]).unwrap();
        assert!(matches!(cli.cmd, ConfigCommand::Init { force: true }));
        let cli = Cli::try_parse_from(["config", "show", "--origin"]).unwrap();
        assert!(matches!(cli.cmd, ConfigCommand::Show { origin: true }));
        assert!(matches!(
            Cli::try_parse_from(["config", "path"]).unwrap().cmd,
            ConfigCommand::Path
        ));
    }

    #[tokio::test]
    async fn path_and_init_print_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let cfg_path = dir.path().join("conf/config.toml");
        let c = Config::from_parts(cfg_path.clone(), None, HashMap::new(), None).unwrap();
        let out_file = dir.path().join("out.txt");
        let out = OutputOptions {
            out: Some(out_file.clone()),
            ..OutputOptions::default()
        };
        run(&ConfigCommand::Path, &c, None, &out).await.unwrap();
        assert_eq!(
            std::fs::read_to_string(&out_file).unwrap(),
            format!("{}\n", cfg_path.display())
        );
        assert!(!cfg_path.exists());

        run(&ConfigCommand::Init { force: false }, &c, None, &out)
            .await
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&out_file).unwrap(),
            format!("{}\n", cfg_path.display())
        );
        assert_eq!(std::fs::read_to_string(&cfg_path).unwrap(), TEMPLATE);
    }
}
