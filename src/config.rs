//! Configuration: profiles, environment variables and secrets (DESIGN.md §3).
//!
//! This is the only module of the crate that reads the process environment (as cargo does
//! with its `clippy.toml` ban on `env::var`): [`Config::load`] takes one snapshot of it, and
//! everything else asks the [`Config`]. Tests build a `Config` with [`Config::from_parts`]
//! and never touch the real environment.
//!
//! Precedence is flag > environment variable > config file > default. Each vendor section
//! has a fixed set of keys ([`VENDORS`]); secret keys are never accepted as flags, and in the
//! file they may name where the secret lives (`{ env = "X" }`, `{ file = "/path" }`,
//! `{ command = "pass show x" }`) rather than hold it. Secrets are resolved lazily, only when
//! a command actually needs them, and always become a [`SecretString`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::http::SecretString;

/// The variable that names the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "LICCTL_CONFIG";

/// One key of a vendor section, and whether its value is a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// The key as written in the file (`api_key`); its variable is the upper-cased form.
    pub name: &'static str,
    /// Secret keys are never accepted as flags, never shown, and may point at env/file/command.
    pub secret: bool,
}

/// One vendor section of a profile: its name in the file, its variable prefix and its keys.
///
/// Kept as data so that `config show`, `config init`, error hints and the monthly run's
/// "which vendors are configured" all agree with DESIGN.md §3 by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorSpec {
    /// The table name under `[profiles.NAME]`, which is also the command group's name.
    pub section: &'static str,
    /// The environment variable prefix, e.g. `LICCTL_BIGFIX`.
    pub env_prefix: &'static str,
    /// Every key the section knows, in the documented order.
    pub keys: &'static [KeySpec],
}

const fn plain(name: &'static str) -> KeySpec {
    KeySpec {
        name,
        secret: false,
    }
}

const fn secret(name: &'static str) -> KeySpec {
    KeySpec { name, secret: true }
}

/// The five vendors' sections and keys (DESIGN.md §3), in command-tree order.
pub const VENDORS: &[VendorSpec] = &[
    VendorSpec {
        section: "ocreporter",
        env_prefix: "LICCTL_OCREPORTER",
        keys: &[
            plain("url"),
            plain("workspace"),
            secret("token"),
            plain("tenant"),
            plain("language"),
        ],
    },
    VendorSpec {
        section: "otc-dashboard",
        env_prefix: "LICCTL_OTC",
        keys: &[
            plain("url"),
            secret("api_key"),
            plain("api_version"),
            plain("grafana_user"),
            secret("grafana_password"),
        ],
    },
    VendorSpec {
        section: "acronis-reports",
        env_prefix: "LICCTL_ACRONIS",
        keys: &[
            plain("url"),
            plain("client_id"),
            secret("client_secret"),
            plain("tenant_id"),
            secret("token"),
        ],
    },
    VendorSpec {
        section: "bigfix-metrics",
        env_prefix: "LICCTL_BIGFIX",
        keys: &[plain("url"), secret("token"), plain("token_location")],
    },
    VendorSpec {
        section: "veeam-vspc",
        env_prefix: "LICCTL_VEEAM",
        keys: &[
            plain("url"),
            plain("username"),
            secret("password"),
            secret("api_key"),
        ],
    },
];

impl VendorSpec {
    /// The spec of a section name as written in the file (`"bigfix-metrics"`).
    pub fn by_section(section: &str) -> Option<&'static VendorSpec> {
        VENDORS.iter().find(|v| v.section == section)
    }

    /// The environment variable of `key`: `LICCTL_BIGFIX` + `_` + `TOKEN_LOCATION`.
    pub fn env_var(&self, key: &str) -> String {
        format!("{}_{}", self.env_prefix, key.to_ascii_uppercase())
    }

    /// The spec of one key of this section, if the section has it.
    pub fn key(&self, name: &str) -> Option<&'static KeySpec> {
        self.keys.iter().find(|k| k.name == name)
    }
}

/// Where a value came from, for `config show --origin` and for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// An environment variable (its name).
    Env(String),
    /// The config file, in the given profile.
    File {
        /// The config file.
        path: PathBuf,
        /// The active profile the value was found in.
        profile: String,
    },
    /// A built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag => f.write_str("flag"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::File { path, profile } => {
                write!(f, "file {} [profile {profile}]", path.display())
            }
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A plain (non-secret) value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The value as text (`workspace = 12` in the file becomes `"12"`).
    pub value: String,
    /// Where it came from.
    pub origin: Origin,
}

/// A value as found in the file, before precedence is applied.
#[derive(Debug, Clone)]
enum FileValue {
    Plain(String),
    Secret(FileSecret),
}

/// Where the file says a secret lives. `Debug` never shows a literal or a command line.
#[derive(Clone)]
enum FileSecret {
    Literal(SecretString),
    Env(String),
    File(PathBuf),
    Command(String),
}

impl fmt::Debug for FileSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileSecret::Literal(s) => write!(f, "Literal({s:?})"),
            FileSecret::Env(name) => write!(f, "Env({name:?})"),
            FileSecret::File(path) => write!(f, "File({path:?})"),
            FileSecret::Command(_) => f.write_str("Command(***)"),
        }
    }
}

/// section name → key name → value.
type Profile = BTreeMap<&'static str, BTreeMap<&'static str, FileValue>>;

/// The parsed file: `default_profile`, every profile, and the warnings parsing produced.
#[derive(Default)]
struct ParsedFile {
    default_profile: Option<String>,
    profiles: BTreeMap<String, Profile>,
    warnings: Vec<String>,
}

/// The effective configuration of one invocation: the file, the active profile and a
/// snapshot of the environment.
///
/// Cheap to clone (the environment and the secret cache are shared). `Debug` shows no
/// secret and no environment value.
#[derive(Clone)]
pub struct Config {
    path: PathBuf,
    file_exists: bool,
    profile: String,
    profiles: Arc<BTreeMap<String, Profile>>,
    env: Arc<HashMap<String, String>>,
    /// Output of `{ command = ... }` secrets, so that a command runs at most once.
    commands: Arc<Mutex<HashMap<String, SecretString>>>,
    warnings: Vec<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("path", &self.path)
            .field("file_exists", &self.file_exists)
            .field("profile", &self.profile)
            .field("profiles", &self.profiles)
            .finish_non_exhaustive()
    }
}

/// The config file path: `explicit` (`--config`), else `$LICCTL_CONFIG`, else
/// `$XDG_CONFIG_HOME/licctl/config.toml`, else `~/.config/licctl/config.toml` on every
/// platform (as gh does, so that one set of instructions fits macOS and Windows too).
pub fn config_path(explicit: Option<&Path>) -> PathBuf {
    resolve_config_path(explicit, |k| std::env::var(k).ok(), dirs::home_dir()).0
}

/// The directory for caches (OAuth and session tokens): `$XDG_CACHE_HOME/licctl`, else
/// `~/.cache/licctl`.
pub fn cache_dir() -> PathBuf {
    resolve_cache_dir(|k| std::env::var(k).ok(), dirs::home_dir())
}

/// Resolves the config path from an environment lookup; the flag tells whether the path
/// was chosen explicitly (`--config` or `$LICCTL_CONFIG`), in which case it must exist.
fn resolve_config_path(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
    home: Option<PathBuf>,
) -> (PathBuf, bool) {
    if let Some(p) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        return (p.to_path_buf(), true);
    }
    if let Some(p) = env(CONFIG_ENV).filter(|s| !s.is_empty()) {
        return (PathBuf::from(p), true);
    }
    let base = xdg_dir(&env, "XDG_CONFIG_HOME")
        .unwrap_or_else(|| home.unwrap_or_default().join(".config"));
    (base.join("licctl").join("config.toml"), false)
}

fn resolve_cache_dir(env: impl Fn(&str) -> Option<String>, home: Option<PathBuf>) -> PathBuf {
    xdg_dir(&env, "XDG_CACHE_HOME")
        .unwrap_or_else(|| home.unwrap_or_default().join(".cache"))
        .join("licctl")
}

/// An XDG base directory variable, ignored when empty or relative (as the spec says).
fn xdg_dir(env: &impl Fn(&str) -> Option<String>, name: &str) -> Option<PathBuf> {
    env(name).map(PathBuf::from).filter(|p| p.is_absolute())
}

/// Writes `bytes` to `path` atomically (a temp file in the same directory, then a rename)
/// with mode 0600 on unix, creating missing parent directories (mode 0700).
///
/// For files that hold credentials: token caches and the config file written by
/// `config init`. A reader sees the old content or the new one, never a truncated file.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| Error::config(format!("cannot write {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_private_dir(&dir).map_err(fail)?;
    // tempfile creates the file with mode 0600 on unix already.
    let mut tmp = tempfile::Builder::new()
        .prefix(".licctl-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// True when a config file with permission bits `mode` must be warned about: it holds a
/// literal secret and group or others have any access to it.
#[cfg_attr(not(unix), allow(dead_code))]
fn literal_secret_exposed(mode: u32, holds_literal_secret: bool) -> bool {
    holds_literal_secret && mode & 0o077 != 0
}

impl Config {
    /// Loads the configuration for this invocation: the file at [`config_path`], the
    /// profile (`profile` is `--profile`/`LICCTL_PROFILE` as merged by clap), and one
    /// snapshot of the process environment.
    ///
    /// A missing file is fine unless its path was given explicitly (`--config` or
    /// `$LICCTL_CONFIG`). On unix, a file holding a literal secret that group or others can
    /// read gets one warning.
    pub fn load(explicit_path: Option<&Path>, profile: Option<&str>) -> Result<Config> {
        Self::load_inner(explicit_path, profile, false)
    }

    /// Like [`Config::load`], but a missing file is fine even when its path was given
    /// explicitly: for `config init` and `config path`, whose job is a file that may not
    /// exist yet.
    pub fn load_allow_missing(
        explicit_path: Option<&Path>,
        profile: Option<&str>,
    ) -> Result<Config> {
        Self::load_inner(explicit_path, profile, true)
    }

    fn load_inner(
        explicit_path: Option<&Path>,
        profile: Option<&str>,
        allow_missing: bool,
    ) -> Result<Config> {
        let env: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let (path, explicit) =
            resolve_config_path(explicit_path, |k| env.get(k).cloned(), dirs::home_dir());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if explicit && !allow_missing {
                    return Err(Error::config(format!(
                        "config file {} does not exist",
                        path.display()
                    ))
                    .with_hint(
                        "create it with `licctl config init`, or fix --config / LICCTL_CONFIG",
                    ));
                }
                None
            }
            Err(e) => {
                return Err(Error::config(format!(
                    "cannot read config file {}: {e}",
                    path.display()
                )))
            }
        };
        let config = Self::from_parts(path, text.as_deref(), env, profile)?;
        #[cfg(unix)]
        if config.file_exists {
            use std::os::unix::fs::PermissionsExt as _;
            if let Ok(meta) = std::fs::metadata(&config.path) {
                let mode = meta.permissions().mode();
                if literal_secret_exposed(mode, config.holds_literal_secret()) {
                    tracing::warn!(
                        "{} holds a literal secret and is readable by group or others \
                         (mode {:03o}): run `chmod 600 {}`, or use {{ env = \"...\" }} / \
                         {{ file = \"...\" }} for the secret",
                        config.path.display(),
                        mode & 0o777,
                        config.path.display()
                    );
                }
            }
        }
        Ok(config)
    }

    /// Builds a configuration from its parts, without touching the process: `file_text` is
    /// the file's content (`None`: there is no file), `env` the environment to use.
    ///
    /// The profile is `profile`, else the file's `default_profile`, else `"default"`. A
    /// profile that was asked for (by `profile` or `default_profile`) but is not in an
    /// existing file is an error listing the profiles there are.
    pub fn from_parts(
        path: PathBuf,
        file_text: Option<&str>,
        env: HashMap<String, String>,
        profile: Option<&str>,
    ) -> Result<Config> {
        let parsed = match file_text {
            Some(text) => parse_file(&path, text)?,
            None => ParsedFile::default(),
        };
        for w in &parsed.warnings {
            tracing::warn!("{w}");
        }
        let file_exists = file_text.is_some();
        let (name, asked_by) = match (profile.filter(|p| !p.is_empty()), parsed.default_profile) {
            (Some(p), _) => (p.to_owned(), Some("")),
            (None, Some(d)) => (d, Some(" (default_profile)")),
            (None, None) => ("default".to_owned(), None),
        };
        if let Some(asked_by) = asked_by {
            if file_exists && !parsed.profiles.contains_key(&name) {
                let available = if parsed.profiles.is_empty() {
                    "it defines no profiles".to_owned()
                } else {
                    let names: Vec<&str> = parsed.profiles.keys().map(String::as_str).collect();
                    format!("available: {}", names.join(", "))
                };
                return Err(Error::config(format!(
                    "profile \"{name}\"{asked_by} is not defined in {} ({available})",
                    path.display()
                ))
                .with_hint(format!(
                    "add [profiles.{name}.<vendor>] tables to it, or choose another profile \
                     with --profile or LICCTL_PROFILE"
                )));
            }
        }
        Ok(Config {
            path,
            file_exists,
            profile: name,
            profiles: Arc::new(parsed.profiles),
            env: Arc::new(env),
            commands: Arc::new(Mutex::new(HashMap::new())),
            warnings: parsed.warnings,
        })
    }

    /// The active profile's name.
    pub fn profile_name(&self) -> &str {
        &self.profile
    }

    /// The config file's path, whether or not it exists.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the config file exists (was read).
    pub fn file_exists(&self) -> bool {
        self.file_exists
    }

    /// The profiles the file defines, sorted.
    pub fn profiles(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }

    /// The active profile's view of one vendor section.
    ///
    /// # Panics
    /// On a section that is not in [`VENDORS`]: sections are constants of the code, so an
    /// unknown one is a bug, not a user error.
    pub fn vendor(&self, section: &str) -> VendorConfig<'_> {
        let spec = VendorSpec::by_section(section)
            .unwrap_or_else(|| panic!("unknown config section {section:?}"));
        VendorConfig { config: self, spec }
    }

    /// A variable of the environment snapshot, exactly as set (possibly empty), for the
    /// modules that need one not tied to a vendor key (`CI`, `NO_COLOR`, ...).
    pub fn env_value(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    /// True when running under CI: `CI` is set, and not empty, `false` or `0`. Progress
    /// bars and other terminal niceties stay off then.
    pub fn is_ci(&self) -> bool {
        self.env_value("CI").is_some_and(|v| {
            let v = v.trim();
            !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false")
        })
    }

    /// Warnings the file produced (unknown sections and keys); already logged by
    /// `tracing::warn!` when the configuration was built.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// [`cache_dir`] computed from the environment snapshot, so that in-process tests and
    /// `licctl demo` can redirect it with `XDG_CACHE_HOME` in [`Config::from_parts`].
    pub fn cache_dir(&self) -> PathBuf {
        resolve_cache_dir(|k| self.env.get(k).cloned(), dirs::home_dir())
    }

    /// A non-empty variable of the snapshot: an empty `LICCTL_*` variable counts as unset.
    fn env_nonempty(&self, name: &str) -> Option<&str> {
        self.env_value(name).filter(|v| !v.is_empty())
    }

    /// True when any profile of the file holds a secret as a plain string.
    #[cfg_attr(not(unix), allow(dead_code))]
    fn holds_literal_secret(&self) -> bool {
        self.profiles
            .values()
            .flat_map(|p| p.values())
            .any(|section| {
                section
                    .values()
                    .any(|v| matches!(v, FileValue::Secret(FileSecret::Literal(_))))
            })
    }
}

/// One vendor section of the active profile, with precedence applied on every lookup.
#[derive(Debug, Clone, Copy)]
pub struct VendorConfig<'a> {
    config: &'a Config,
    spec: &'static VendorSpec,
}

impl<'a> VendorConfig<'a> {
    /// The section's spec (name, variable prefix, keys).
    pub fn spec(&self) -> &'static VendorSpec {
        self.spec
    }

    /// A plain key's value from the environment or the file, if set (empty counts as unset).
    ///
    /// # Panics
    /// On a key the section does not have, or a secret key (use [`VendorConfig::secret`]):
    /// keys are constants of the code, so either is a bug.
    pub fn get(&self, key: &str) -> Option<Setting> {
        assert!(
            !self.key_spec(key).secret,
            "{} {key} is a secret: use secret()",
            self.spec.section
        );
        let var = self.spec.env_var(key);
        if let Some(v) = self.config.env_nonempty(&var) {
            return Some(Setting {
                value: v.to_owned(),
                origin: Origin::Env(var),
            });
        }
        match self.file_value(key)? {
            FileValue::Plain(v) if !v.is_empty() => Some(Setting {
                value: v.clone(),
                origin: self.file_origin(),
            }),
            _ => None,
        }
    }

    /// Like [`VendorConfig::get`], but a flag given on the command line wins.
    ///
    /// # Panics
    /// As [`VendorConfig::get`]: secrets are never accepted as flags.
    pub fn get_or(&self, key: &str, flag: Option<&str>) -> Option<Setting> {
        match flag {
            Some(v) => {
                assert!(!self.key_spec(key).secret, "secrets are never flags");
                Some(Setting {
                    value: v.to_owned(),
                    origin: Origin::Flag,
                })
            }
            None => self.get(key),
        }
    }

    /// Flag, else environment, else file, else `default` (origin [`Origin::Default`]).
    pub fn get_or_default(&self, key: &str, flag: Option<&str>, default: &str) -> Setting {
        self.get_or(key, flag).unwrap_or_else(|| Setting {
            value: default.to_owned(),
            origin: Origin::Default,
        })
    }

    /// A plain key that must be set: otherwise a Config error (exit 3) telling which
    /// variable or file key to set.
    pub fn require(&self, key: &str) -> Result<Setting> {
        self.get(key).ok_or_else(|| {
            Error::config(format!("{} {key} is not configured", self.spec.section))
                .with_hint(self.where_to_set(key))
        })
    }

    /// A secret key's value and origin, resolved now: `Ok(None)` when it is not set at all,
    /// an error when the file points at a variable, file or command that fails.
    ///
    /// A `{ command = ... }` runs at most once per process (its output is cached).
    ///
    /// # Panics
    /// On a key the section does not have, or a plain key (use [`VendorConfig::get`]).
    pub fn secret(&self, key: &str) -> Result<Option<(SecretString, Origin)>> {
        assert!(
            self.key_spec(key).secret,
            "{} {key} is not a secret: use get()",
            self.spec.section
        );
        let var = self.spec.env_var(key);
        if let Some(v) = self.config.env_nonempty(&var) {
            return Ok(Some((SecretString::new(v), Origin::Env(var))));
        }
        let Some(FileValue::Secret(source)) = self.file_value(key) else {
            return Ok(None);
        };
        let value = match source {
            FileSecret::Literal(s) if s.is_empty() => return Ok(None),
            FileSecret::Literal(s) => s.clone(),
            FileSecret::Env(name) => match self.config.env.get(name) {
                Some(v) if !v.is_empty() => SecretString::new(v.as_str()),
                Some(_) => {
                    return Err(
                        self.source_error(key, format!("environment variable {name} is empty"))
                    )
                }
                None => {
                    return Err(
                        self.source_error(key, format!("environment variable {name} is not set"))
                    )
                }
            },
            FileSecret::File(path) => {
                let path = expand_home(path);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    self.source_error(key, format!("cannot read {}: {e}", path.display()))
                })?;
                let text = text.trim();
                if text.is_empty() {
                    return Err(self.source_error(key, format!("{} is empty", path.display())));
                }
                SecretString::new(text)
            }
            FileSecret::Command(command) => self.run_command(key, command)?,
        };
        Ok(Some((value, self.file_origin())))
    }

    /// A secret that must be set: otherwise a Config error (exit 3) telling which variable
    /// or file key to set, and that secrets are never accepted as flags.
    pub fn require_secret(&self, key: &str) -> Result<SecretString> {
        match self.secret(key)? {
            Some((s, _)) => Ok(s),
            None => Err(
                Error::config(format!("{} {key} is not configured", self.spec.section))
                    .with_hint(format!(
                        "{} (as {{ env = \"VAR\" }}, {{ file = \"/path\" }} or {{ command = \"...\" }}); \
                         secrets are never accepted as flags",
                        self.where_to_set(key)
                    )),
            ),
        }
    }

    /// Where a secret would come from, without resolving it (no command runs): `env
    /// LICCTL_BIGFIX_TOKEN`, `file /p [profile prod] via command`, `... via env OCR_TOKEN`,
    /// `... via file /etc/x`, or the bare file origin for a literal. `None` when unset.
    ///
    /// For `config show --origin`, which must never resolve or show a secret.
    pub fn secret_origin(&self, key: &str) -> Option<String> {
        let var = self.spec.env_var(key);
        if self.config.env_nonempty(&var).is_some() {
            return Some(Origin::Env(var).to_string());
        }
        let Some(FileValue::Secret(source)) = self.file_value(key) else {
            return None;
        };
        let origin = self.file_origin();
        Some(match source {
            FileSecret::Literal(s) if s.is_empty() => return None,
            FileSecret::Literal(_) => origin.to_string(),
            FileSecret::Env(name) => format!("{origin} via env {name}"),
            FileSecret::File(path) => format!("{origin} via file {}", path.display()),
            FileSecret::Command(_) => format!("{origin} via command"),
        })
    }

    /// True when the section has a url: the vendors a monthly run covers by default.
    pub fn is_configured(&self) -> bool {
        self.get("url").is_some()
    }

    fn key_spec(&self, key: &str) -> &'static KeySpec {
        self.spec
            .key(key)
            .unwrap_or_else(|| panic!("config section {} has no key {key:?}", self.spec.section))
    }

    fn file_value(&self, key: &str) -> Option<&'a FileValue> {
        self.config
            .profiles
            .get(&self.config.profile)?
            .get(self.spec.section)?
            .get(key)
    }

    fn file_origin(&self) -> Origin {
        Origin::File {
            path: self.config.path.clone(),
            profile: self.config.profile.clone(),
        }
    }

    fn table_name(&self) -> String {
        format!("[profiles.{}.{}]", self.config.profile, self.spec.section)
    }

    fn where_to_set(&self, key: &str) -> String {
        format!(
            "set {}, or {key} in {} of {}",
            self.spec.env_var(key),
            self.table_name(),
            self.config.path.display()
        )
    }

    fn source_error(&self, key: &str, what: String) -> Error {
        Error::config(format!("{} {key}: {what}", self.spec.section)).with_hint(format!(
            "{key} in {} of {} points there",
            self.table_name(),
            self.config.path.display()
        ))
    }

    /// Runs a `{ command = ... }` secret through the shell, stdin closed, stderr passed
    /// through (so `pass` and friends can explain themselves); stdout is the secret and is
    /// never echoed in an error.
    fn run_command(&self, key: &str, command: &str) -> Result<SecretString> {
        let cache_key = format!("{}\0{}\0{key}", self.config.profile, self.spec.section);
        let mut cache = self
            .config
            .commands
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(s) = cache.get(&cache_key) {
            return Ok(s.clone());
        }
        let output = shell(command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| self.source_error(key, format!("cannot run its command: {e}")))?;
        if !output.status.success() {
            return Err(self.source_error(key, format!("its command failed ({})", output.status)));
        }
        let Ok(text) = String::from_utf8(output.stdout) else {
            return Err(self.source_error(key, "its command printed invalid UTF-8".to_owned()));
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            return Err(self.source_error(key, "its command printed nothing".to_owned()));
        }
        let secret = SecretString::new(text);
        cache.insert(cache_key, secret.clone());
        Ok(secret)
    }
}

#[cfg(windows)]
fn shell(command: &str) -> Command {
    let mut c = Command::new("cmd");
    c.arg("/C").arg(command);
    c
}

#[cfg(not(windows))]
fn shell(command: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(command);
    c
}

/// `~/x` → `<home>/x` for `{ file = ... }` paths (the shell is not there to do it).
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

/// Parses the config file; value-type errors are errors, unknown names are warnings.
fn parse_file(path: &Path, text: &str) -> Result<ParsedFile> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        Error::config(format!(
            "cannot parse {}: {}",
            path.display(),
            describe_toml_error(&e, text)
        ))
    })?;
    let shown = path.display();
    let bad = |key: &str, what: &str| Error::config(format!("{shown}: {key}: {what}"));
    let mut parsed = ParsedFile::default();
    for (name, value) in &table {
        match name.as_str() {
            "default_profile" => match value {
                toml::Value::String(s) if !s.is_empty() => parsed.default_profile = Some(s.clone()),
                _ => return Err(bad(name, "expected a profile name (a string)")),
            },
            "profiles" => {
                let toml::Value::Table(profiles) = value else {
                    return Err(bad(name, "expected a table of profiles"));
                };
                for (pname, pvalue) in profiles {
                    let at = format!("profiles.{pname}");
                    let toml::Value::Table(sections) = pvalue else {
                        return Err(bad(&at, "expected a table of vendor sections"));
                    };
                    let profile = parse_profile(&at, sections, &mut parsed.warnings)
                        .map_err(|(key, what)| bad(&key, &what))?;
                    parsed.profiles.insert(pname.clone(), profile);
                }
            }
            other => {
                let hint = if VendorSpec::by_section(other).is_some() {
                    format!(" (vendor sections go under [profiles.NAME.{other}])")
                } else {
                    String::new()
                };
                parsed
                    .warnings
                    .push(format!("unknown key {other}{hint}, ignored"));
            }
        }
    }
    for w in &mut parsed.warnings {
        *w = format!("{shown}: {w}");
    }
    Ok(parsed)
}

/// One `[profiles.NAME]` table; errors are `(dotted key, what is wrong)`.
fn parse_profile(
    at: &str,
    sections: &toml::Table,
    warnings: &mut Vec<String>,
) -> std::result::Result<Profile, (String, String)> {
    let mut profile = Profile::new();
    for (sname, svalue) in sections {
        let at = format!("{at}.{sname}");
        let Some(spec) = VendorSpec::by_section(sname) else {
            let known: Vec<&str> = VENDORS.iter().map(|v| v.section).collect();
            warnings.push(format!(
                "unknown section [{at}], ignored (known: {})",
                known.join(", ")
            ));
            continue;
        };
        let toml::Value::Table(keys) = svalue else {
            return Err((at, "expected a table of keys".to_owned()));
        };
        let mut section = BTreeMap::new();
        for (kname, kvalue) in keys {
            let at = format!("{at}.{kname}");
            let Some(key) = spec.key(kname) else {
                let known: Vec<&str> = spec.keys.iter().map(|k| k.name).collect();
                warnings.push(format!(
                    "unknown key {at}, ignored (known: {})",
                    known.join(", ")
                ));
                continue;
            };
            let value = if key.secret {
                FileValue::Secret(parse_secret(kvalue).ok_or_else(|| {
                    (
                        at.clone(),
                        "expected \"literal\", { env = \"VAR\" }, { file = \"/path\" } or \
                         { command = \"...\" }"
                            .to_owned(),
                    )
                })?)
            } else {
                FileValue::Plain(scalar(kvalue).ok_or_else(|| {
                    (
                        at.clone(),
                        "expected a string, a number or a boolean".to_owned(),
                    )
                })?)
            };
            section.insert(key.name, value);
        }
        profile.insert(spec.section, section);
    }
    Ok(profile)
}

/// A plain value as text: strings, integers (`workspace = 12`), floats, booleans, dates.
fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

/// A secret's source: a literal, or a table with exactly one of env, file, command.
fn parse_secret(value: &toml::Value) -> Option<FileSecret> {
    let toml::Value::Table(t) = value else {
        return scalar(value).map(|s| FileSecret::Literal(SecretString::new(s)));
    };
    let mut entries = t.iter();
    let (kind, toml::Value::String(v)) = entries.next()? else {
        return None;
    };
    if entries.next().is_some() || v.is_empty() {
        return None;
    }
    match kind.as_str() {
        "env" => Some(FileSecret::Env(v.clone())),
        "file" => Some(FileSecret::File(PathBuf::from(v))),
        "command" => Some(FileSecret::Command(v.clone())),
        _ => None,
    }
}

/// toml's message on one line, with the line and column it points at (toml's own
/// `Display` draws a multi-line snippet, and licctl's errors are one line).
fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let message = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const PATH: &str = "/home/u/.config/licctl/config.toml";

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn cfg(text: Option<&str>, vars: &[(&str, &str)], profile: Option<&str>) -> Result<Config> {
        Config::from_parts(PathBuf::from(PATH), text, env(vars), profile)
    }

    fn file_origin(profile: &str) -> Origin {
        Origin::File {
            path: PathBuf::from(PATH),
            profile: profile.to_owned(),
        }
    }

    const FILE: &str = r#"
default_profile = "prod"
[profiles.prod.bigfix-metrics]
url = "https://bfi.file:9081"
token_location = "header"
[profiles.prod.ocreporter]
url = "https://ocr.file"
workspace = 12
tenant = "OC-123456"
[profiles.dev.bigfix-metrics]
url = "https://bfi.dev"
"#;

    #[test]
    fn env_beats_file_and_flag_beats_env() {
        let c = cfg(
            Some(FILE),
            &[("LICCTL_BIGFIX_URL", "https://bfi.env")],
            None,
        )
        .unwrap();
        let v = c.vendor("bigfix-metrics");
        let s = v.get("url").unwrap();
        assert_eq!(s.value, "https://bfi.env");
        assert_eq!(s.origin, Origin::Env("LICCTL_BIGFIX_URL".into()));
        let s = v.get_or("url", Some("https://bfi.flag")).unwrap();
        assert_eq!(s.value, "https://bfi.flag");
        assert_eq!(s.origin, Origin::Flag);
        let s = v.get_or("token_location", None).unwrap();
        assert_eq!(s.value, "header");
        assert_eq!(s.origin, file_origin("prod"));
        // An empty variable counts as unset.
        let c = cfg(Some(FILE), &[("LICCTL_BIGFIX_URL", "")], None).unwrap();
        assert_eq!(
            c.vendor("bigfix-metrics").get("url").unwrap().value,
            "https://bfi.file:9081"
        );
    }

    #[test]
    fn defaults_and_env_only_setups() {
        let c = cfg(None, &[("LICCTL_VEEAM_URL", "https://v")], None).unwrap();
        assert_eq!(c.profile_name(), "default");
        assert!(!c.file_exists());
        assert!(c.vendor("veeam-vspc").is_configured());
        assert!(!c.vendor("ocreporter").is_configured());
        let s = c
            .vendor("bigfix-metrics")
            .get_or_default("token_location", None, "query");
        assert_eq!(
            s,
            Setting {
                value: "query".into(),
                origin: Origin::Default
            }
        );
    }

    #[test]
    fn integer_and_boolean_values_become_text() {
        let c = cfg(Some(FILE), &[], None).unwrap();
        assert_eq!(c.vendor("ocreporter").get("workspace").unwrap().value, "12");
        let c = cfg(
            Some("[profiles.default.otc-dashboard]\napi_version = 2\ngrafana_user = true\n"),
            &[],
            None,
        )
        .unwrap();
        let v = c.vendor("otc-dashboard");
        assert_eq!(v.get("api_version").unwrap().value, "2");
        assert_eq!(v.get("grafana_user").unwrap().value, "true");
        let e = cfg(
            Some("[profiles.default.ocreporter]\nurl = [1]\n"),
            &[],
            None,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.message().contains("profiles.default.ocreporter.url"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn profile_selection() {
        assert_eq!(cfg(Some(FILE), &[], None).unwrap().profile_name(), "prod");
        let c = cfg(Some(FILE), &[], Some("dev")).unwrap();
        assert_eq!(c.profile_name(), "dev");
        assert_eq!(
            c.vendor("bigfix-metrics").get("url").unwrap().value,
            "https://bfi.dev"
        );
        assert_eq!(
            c.vendor("bigfix-metrics").get("url").unwrap().origin,
            file_origin("dev")
        );
        assert!(!c.vendor("ocreporter").is_configured());
        assert_eq!(c.profiles(), vec!["dev".to_owned(), "prod".to_owned()]);

        let e = cfg(Some(FILE), &[], Some("staging")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("\"staging\""), "{}", e.message());
        assert!(
            e.message().contains("available: dev, prod"),
            "{}",
            e.message()
        );

        // default_profile naming a missing profile is the file's mistake: also an error.
        let e = cfg(Some("default_profile = \"nope\"\n"), &[], None).unwrap_err();
        assert!(
            e.message().contains("defines no profiles"),
            "{}",
            e.message()
        );

        // Without a file, or with a file but no explicit request, "default" is fine.
        assert_eq!(cfg(None, &[], Some("ci")).unwrap().profile_name(), "ci");
        let c = cfg(Some("[profiles.other.ocreporter]\n"), &[], None).unwrap();
        assert_eq!(c.profile_name(), "default");
        assert!(c.vendor("ocreporter").get("url").is_none());
    }

    #[test]
    fn unparseable_toml_is_a_config_error_with_line_and_column() {
        let e = cfg(
            Some("[profiles.prod.ocreporter]\nurl = https://x\n"),
            &[],
            None,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains(PATH), "{}", e.message());
        assert!(e.message().contains("line 2, column 7"), "{}", e.message());
        assert!(!e.message().contains('\n'));
    }

    #[test]
    fn unknown_sections_and_keys_are_warnings() {
        let text = "[profiles.default.ocreporter]\nurl = \"u\"\nurll = \"x\"\n\
                    [profiles.default.jira]\nurl = \"j\"\n[bigfix-metrics]\nurl = \"b\"\n";
        let c = cfg(Some(text), &[], None).unwrap();
        assert_eq!(c.vendor("ocreporter").get("url").unwrap().value, "u");
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
        assert!(c
            .warnings
            .iter()
            .any(|w| w.contains("profiles.default.ocreporter.urll")));
        assert!(c
            .warnings
            .iter()
            .any(|w| w.contains("[profiles.default.jira]")));
        assert!(c
            .warnings
            .iter()
            .any(|w| w.contains("[profiles.NAME.bigfix-metrics]")));
    }

    #[test]
    fn required_values_name_their_variable() {
        let c = cfg(None, &[], None).unwrap();
        let e = c.vendor("bigfix-metrics").require("url").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.message(), "bigfix-metrics url is not configured");
        assert_eq!(
            e.hints(),
            [format!(
                "set LICCTL_BIGFIX_URL, or url in [profiles.default.bigfix-metrics] of {PATH}"
            )]
        );
        let e = c
            .vendor("veeam-vspc")
            .require_secret("password")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.message(), "veeam-vspc password is not configured");
        assert!(
            e.hints()[0].contains("LICCTL_VEEAM_PASSWORD"),
            "{:?}",
            e.hints()
        );
        assert!(
            e.hints()[0].contains("never accepted as flags"),
            "{:?}",
            e.hints()
        );
    }

    #[test]
    fn secret_from_licctl_variable() {
        let c = cfg(
            Some("[profiles.default.bigfix-metrics]\ntoken = { command = \"exit 7\" }\n"),
            &[("LICCTL_BIGFIX_TOKEN", "tok-from-licctl-env")],
            None,
        )
        .unwrap();
        let (s, origin) = c.vendor("bigfix-metrics").secret("token").unwrap().unwrap();
        assert_eq!(s.expose(), "tok-from-licctl-env");
        assert_eq!(origin, Origin::Env("LICCTL_BIGFIX_TOKEN".into()));
        assert_eq!(
            c.vendor("bigfix-metrics").secret_origin("token").as_deref(),
            Some("env LICCTL_BIGFIX_TOKEN")
        );
    }

    #[test]
    fn secret_from_named_env_variable() {
        let text = "[profiles.default.ocreporter]\ntoken = { env = \"OCR_TOKEN\" }\n";
        let c = cfg(Some(text), &[("OCR_TOKEN", "ocr-secret-from-env")], None).unwrap();
        let (s, origin) = c.vendor("ocreporter").secret("token").unwrap().unwrap();
        assert_eq!(s.expose(), "ocr-secret-from-env");
        assert_eq!(origin, file_origin("default"));
        assert_eq!(
            c.vendor("ocreporter").secret_origin("token").unwrap(),
            format!("file {PATH} [profile default] via env OCR_TOKEN")
        );
        let e = cfg(Some(text), &[], None)
            .unwrap()
            .vendor("ocreporter")
            .secret("token")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("OCR_TOKEN"), "{}", e.message());
        assert!(e.message().contains("ocreporter token"), "{}", e.message());
    }

    #[test]
    fn secret_from_file() {
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("bfi.token");
        std::fs::write(&token, "  bfi-file-secret-42\n\n").unwrap();
        let text = format!(
            "[profiles.default.bigfix-metrics]\ntoken = {{ file = {:?} }}\n",
            token.to_str().unwrap()
        );
        let c = cfg(Some(&text), &[], None).unwrap();
        let s = c.vendor("bigfix-metrics").require_secret("token").unwrap();
        assert_eq!(s.expose(), "bfi-file-secret-42");

        std::fs::remove_file(&token).unwrap();
        let e = c.vendor("bigfix-metrics").secret("token").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("bfi.token"), "{}", e.message());
    }

    #[test]
    fn secret_from_command_is_lazy_and_trimmed() {
        let text = "[profiles.default.acronis-reports]\nurl = \"https://a\"\n\
                    client_secret = { command = \"echo s3cret-from-command\" }\n";
        let c = cfg(Some(text), &[], None).unwrap();
        let v = c.vendor("acronis-reports");
        // Describing it runs nothing.
        assert_eq!(
            v.secret_origin("client_secret").unwrap(),
            format!("file {PATH} [profile default] via command")
        );
        let (s, origin) = v.secret("client_secret").unwrap().unwrap();
        assert_eq!(s.expose(), "s3cret-from-command");
        assert_eq!(origin, file_origin("default"));
        // Cached: the clone shares it.
        assert_eq!(c.clone().commands.lock().unwrap().len(), 1);
        assert_eq!(format!("{c:?}").matches("s3cret-from-command").count(), 0);
    }

    #[test]
    fn failing_command_names_key_and_status_not_output() {
        let text = "[profiles.default.veeam-vspc]\n\
                    password = { command = \"echo leaked-stdout-value; exit 3\" }\n";
        let c = cfg(Some(text), &[], None).unwrap();
        let e = c.vendor("veeam-vspc").secret("password").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.message().contains("veeam-vspc password"),
            "{}",
            e.message()
        );
        assert!(e.message().contains('3'), "{}", e.message());
        let all = format!("{} {:?}", e.message(), e.hints());
        assert!(!all.contains("leaked-stdout-value"), "{all}");
    }

    #[test]
    fn literal_secrets_and_debug_never_leak() {
        let text =
            "[profiles.default.veeam-vspc]\nurl = \"https://v\"\npassword = \"literal-pw-9876\"\n\
                    api_key = { command = \"echo command-line-text\" }\n";
        let c = cfg(Some(text), &[], None).unwrap();
        let (s, origin) = c.vendor("veeam-vspc").secret("password").unwrap().unwrap();
        assert_eq!(s.expose(), "literal-pw-9876");
        assert_eq!(origin, file_origin("default"));
        assert!(c.holds_literal_secret());
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("literal-pw-9876"), "{dbg}");
        assert!(!dbg.contains("command-line-text"), "{dbg}");
        assert!(!cfg(Some(FILE), &[], None).unwrap().holds_literal_secret());
    }

    #[test]
    fn malformed_secret_tables_are_errors() {
        for bad in [
            "{ env = \"A\", file = \"/b\" }",
            "{ vault = \"x\" }",
            "{ env = 1 }",
            "[]",
        ] {
            let text = format!("[profiles.default.bigfix-metrics]\ntoken = {bad}\n");
            let e = cfg(Some(&text), &[], None).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{bad}");
            assert!(
                e.message().contains("bigfix-metrics.token"),
                "{}",
                e.message()
            );
        }
    }

    #[test]
    fn permission_warning_decision() {
        assert!(literal_secret_exposed(0o100644, true));
        assert!(literal_secret_exposed(0o100640, true));
        assert!(literal_secret_exposed(0o100604, true));
        assert!(!literal_secret_exposed(0o100600, true));
        assert!(!literal_secret_exposed(0o100400, true));
        assert!(!literal_secret_exposed(0o100644, false));
    }

    #[test]
    fn origin_display() {
        assert_eq!(Origin::Flag.to_string(), "flag");
        assert_eq!(
            Origin::Env("LICCTL_BIGFIX_URL".into()).to_string(),
            "env LICCTL_BIGFIX_URL"
        );
        assert_eq!(
            file_origin("prod").to_string(),
            "file /home/u/.config/licctl/config.toml [profile prod]"
        );
        assert_eq!(Origin::Default.to_string(), "default");
    }

    #[test]
    fn paths_follow_flag_env_xdg_home() {
        let home = Some(PathBuf::from("/home/u"));
        let none = |_: &str| None;
        assert_eq!(
            resolve_config_path(Some(Path::new("/x.toml")), none, home.clone()),
            (PathBuf::from("/x.toml"), true)
        );
        let lookup = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            resolve_config_path(None, lookup(&[("LICCTL_CONFIG", "/e.toml")]), home.clone()),
            (PathBuf::from("/e.toml"), true)
        );
        assert_eq!(
            resolve_config_path(None, lookup(&[("XDG_CONFIG_HOME", "/xdg")]), home.clone()),
            (PathBuf::from("/xdg/licctl/config.toml"), false)
        );
        assert_eq!(
            resolve_config_path(None, lookup(&[("XDG_CONFIG_HOME", "rel")]), home.clone()),
            (PathBuf::from("/home/u/.config/licctl/config.toml"), false)
        );
        assert_eq!(
            resolve_cache_dir(lookup(&[("XDG_CACHE_HOME", "/c")]), home.clone()),
            PathBuf::from("/c/licctl")
        );
        assert_eq!(
            resolve_cache_dir(none, home),
            PathBuf::from("/home/u/.cache/licctl")
        );
    }

    #[test]
    fn env_value_and_ci() {
        assert!(cfg(None, &[("CI", "true")], None).unwrap().is_ci());
        assert!(cfg(None, &[("CI", "1")], None).unwrap().is_ci());
        for v in ["false", "FALSE", "0", ""] {
            assert!(!cfg(None, &[("CI", v)], None).unwrap().is_ci(), "{v:?}");
        }
        let c = cfg(None, &[("LICCTL_X", "y")], None).unwrap();
        assert!(!c.is_ci());
        assert_eq!(c.env_value("LICCTL_X"), Some("y"));
        assert_eq!(c.env_value("NOPE"), None);
    }

    #[test]
    fn vendor_table_matches_the_design() {
        let bigfix = VendorSpec::by_section("bigfix-metrics").unwrap();
        assert_eq!(
            bigfix.env_var("token_location"),
            "LICCTL_BIGFIX_TOKEN_LOCATION"
        );
        assert_eq!(
            VendorSpec::by_section("otc-dashboard")
                .unwrap()
                .env_var("api_key"),
            "LICCTL_OTC_API_KEY"
        );
        assert!(VendorSpec::by_section("nope").is_none());
        let secrets: Vec<String> = VENDORS
            .iter()
            .flat_map(|v| {
                v.keys
                    .iter()
                    .filter(|k| k.secret)
                    .map(|k| v.env_var(k.name))
            })
            .collect();
        assert_eq!(
            secrets,
            [
                "LICCTL_OCREPORTER_TOKEN",
                "LICCTL_OTC_API_KEY",
                "LICCTL_OTC_GRAFANA_PASSWORD",
                "LICCTL_ACRONIS_CLIENT_SECRET",
                "LICCTL_ACRONIS_TOKEN",
                "LICCTL_BIGFIX_TOKEN",
                "LICCTL_VEEAM_PASSWORD",
                "LICCTL_VEEAM_API_KEY"
            ]
        );
    }

    #[test]
    fn write_private_file_is_atomic_and_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/token.json");
        write_private_file(&path, b"one").unwrap();
        write_private_file(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
