//! `licctl ocr devices ...`: hosts and VMs together (`infrastructure/devices`), their
//! performance data and their installed software. A device is addressed by id, internal id
//! (`--by internal`, `internal=1`) or agreement number (`--by agreement`, `agreement=1`).

use crate::model::parse_date;
use clap::{Args, Subcommand};

use super::{ByArgs, CustomerFilterArgs, ExcludeArgs, ListArgs, Ocr, SetArgs, DEFAULT_PAGE_SIZE};
use crate::error::{Result, ResultExt};
use crate::vendors::ocreporter::client::{ListQuery, Resource};
use crate::vendors::ocreporter::model::{
    check_id, DeviceType, Form, Ref, DEVICE_BY, DEVICE_COLUMNS, INSTALLED_SOFTWARE_COLUMNS,
    PERFORMANCE_COLUMNS,
};

/// `licctl ocr devices ...`
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List every device (all pages), optionally only a customer's
    List {
        /// Name filter.
        #[command(flatten)]
        list: ListArgs,
        /// Customer filters.
        #[command(flatten)]
        customer: CustomerFilterArgs,
    },
    /// Show one device
    Show {
        /// Device id, internal id or agreement number (see --by)
        #[arg(value_name = "REF")]
        reference: String,
        /// How REF addresses the device.
        #[command(flatten)]
        by: ByArgs,
    },
    /// Create a device (WsDevice[...])
    Create(Box<DeviceCreateArgs>),
    /// Update a device's attributes (WsDevice[...])
    Update(Box<DeviceUpdateArgs>),
    /// Delete a device
    Delete {
        /// Device id, internal id or agreement number (see --by)
        #[arg(value_name = "REF")]
        reference: String,
        /// How REF addresses the device.
        #[command(flatten)]
        by: ByArgs,
    },
    /// List performance data (all pages), filtered by device and observation dates
    Performances {
        /// Only this device's (payload[device_id])
        #[arg(long, value_name = "N")]
        device_id: Option<String>,
        /// Only this device's, by name (payload[device_label])
        #[arg(long, value_name = "S")]
        device_label: Option<String>,
        /// Observations from this date, YYYY-MM-DD (payload[observation_start])
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Observations until this date, YYYY-MM-DD (payload[observation_end])
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
    },
    /// A device's installed software: list, create, update, delete
    #[command(subcommand)]
    Softwares(DeviceSoftwaresCommand),
}

/// The typed attributes of a device, shared by create and update.
#[derive(Debug, Clone, Default, Args)]
pub struct DeviceFields {
    /// Agreement number (WsDevice[agreement_number])
    #[arg(long, value_name = "S")]
    pub agreement_number: Option<String>,
    /// Internal id (WsDevice[internal_id])
    #[arg(long, value_name = "S")]
    pub internal_id: Option<String>,
    /// Cluster id (WsDevice[cluster_id])
    #[arg(long, value_name = "N")]
    pub cluster_id: Option<u64>,
    /// Cluster name (WsDevice[cluster_label])
    #[arg(long, value_name = "S")]
    pub cluster_label: Option<String>,
    /// Host id, for a VM (WsDevice[host_id])
    #[arg(long, value_name = "N")]
    pub host_id: Option<u64>,
    /// Host name, for a VM (WsDevice[host_label])
    #[arg(long, value_name = "S")]
    pub host_label: Option<String>,
    /// Operating system (WsDevice[operating_system])
    #[arg(long, value_name = "S")]
    pub operating_system: Option<String>,
    /// Number of CPUs (WsDevice[number_cpu])
    #[arg(long, value_name = "N")]
    pub number_cpu: Option<u32>,
    /// Number of cores (WsDevice[number_core])
    #[arg(long, value_name = "N")]
    pub number_core: Option<u32>,
    /// Status, e.g. active (WsDevice[status])
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
}

impl DeviceFields {
    fn form(&self, form: Form) -> Form {
        form.opt("agreement_number", self.agreement_number.as_ref())
            .opt("internal_id", self.internal_id.as_ref())
            .opt("cluster_id", self.cluster_id)
            .opt("cluster_label", self.cluster_label.as_ref())
            .opt("host_id", self.host_id)
            .opt("host_label", self.host_label.as_ref())
            .opt("operating_system", self.operating_system.as_ref())
            .opt("number_cpu", self.number_cpu)
            .opt("number_core", self.number_core)
            .opt("status", self.status.as_ref())
    }
}

/// `devices create`
#[derive(Debug, Args)]
pub struct DeviceCreateArgs {
    /// Name (WsDevice[label])
    #[arg(long, value_name = "S")]
    pub label: String,
    /// host or vm (WsDevice[type_id])
    #[arg(long = "type", value_enum)]
    pub device_type: DeviceType,
    /// Typed attributes.
    #[command(flatten)]
    pub fields: DeviceFields,
    /// Other attributes.
    #[command(flatten)]
    pub set: SetArgs,
}

/// `devices update`
#[derive(Debug, Args)]
pub struct DeviceUpdateArgs {
    /// Device id, internal id or agreement number (see --by)
    #[arg(value_name = "REF")]
    pub reference: String,
    /// How REF addresses the device.
    #[command(flatten)]
    pub by: ByArgs,
    /// Name (WsDevice[label])
    #[arg(long, value_name = "S")]
    pub label: Option<String>,
    /// host or vm (WsDevice[type_id])
    #[arg(long = "type", value_enum)]
    pub device_type: Option<DeviceType>,
    /// Typed attributes.
    #[command(flatten)]
    pub fields: DeviceFields,
    /// SPLA exclusion.
    #[command(flatten)]
    pub exclude: ExcludeArgs,
    /// Other attributes.
    #[command(flatten)]
    pub set: SetArgs,
}

/// `licctl ocr devices softwares ...`
#[derive(Debug, Subcommand)]
pub enum DeviceSoftwaresCommand {
    /// List a device's installed software (all pages)
    List {
        /// Device id, internal id or agreement number (see --by)
        #[arg(value_name = "REF")]
        reference: String,
        /// How REF addresses the device.
        #[command(flatten)]
        by: ByArgs,
    },
    /// Add software to a device (WsInstalledSoftware[...])
    Create {
        /// Device id, internal id or agreement number (see --by)
        #[arg(value_name = "REF")]
        reference: String,
        /// How REF addresses the device.
        #[command(flatten)]
        by: ByArgs,
        /// Name (WsInstalledSoftware[label])
        #[arg(long, value_name = "S")]
        label: String,
        /// Status, e.g. active (WsInstalledSoftware[status])
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// Other attributes.
        #[command(flatten)]
        set: SetArgs,
    },
    /// Update one software of a device (WsInstalledSoftware[...])
    Update(Box<SoftwareUpdateArgs>),
    /// Remove one software from a device
    Delete {
        /// Device id, internal id or agreement number (see --by)
        #[arg(value_name = "REF")]
        reference: String,
        /// The software's id
        sid: String,
        /// How REF addresses the device.
        #[command(flatten)]
        by: ByArgs,
    },
}

/// The typed attributes of a software update, shared by every software resource.
#[derive(Debug, Clone, Default, Args)]
pub struct SoftwareFields {
    /// Name (WsInstalledSoftware[label])
    #[arg(long, value_name = "S")]
    pub label: Option<String>,
    /// Status, e.g. active (WsInstalledSoftware[status])
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// SPLA exclusion.
    #[command(flatten)]
    pub exclude: ExcludeArgs,
    /// Other attributes.
    #[command(flatten)]
    pub set: SetArgs,
}

impl SoftwareFields {
    /// The `WsInstalledSoftware[...]` body; a usage error when empty.
    pub fn form(&self) -> Result<Form> {
        Form::new("WsInstalledSoftware")
            .opt("label", self.label.as_ref())
            .opt("status", self.status.as_ref())
            .exclusion(self.exclude.exclusion()?.as_ref())
            .sets(&self.set.parse()?)
            .require_fields("software")
    }
}

/// `devices softwares update`
#[derive(Debug, Args)]
pub struct SoftwareUpdateArgs {
    /// Device id, internal id or agreement number (see --by)
    #[arg(value_name = "REF")]
    pub reference: String,
    /// The software's id
    pub sid: String,
    /// How REF addresses the device.
    #[command(flatten)]
    pub by: ByArgs,
    /// The attributes.
    #[command(flatten)]
    pub fields: SoftwareFields,
}

fn device(reference: &str, by: ByArgs) -> Result<Ref> {
    Ref::new(reference, by.by, DEVICE_BY, "device")
}

/// Runs a `devices` command.
pub async fn run(cmd: &DevicesCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        DevicesCommand::List { list, customer } => {
            let query = customer.apply(list.query())?;
            ocr.list(Resource::Devices, query, DEVICE_COLUMNS, "listing devices")
                .await
        }
        DevicesCommand::Show { reference, by } => {
            ocr.show(
                Resource::Devices,
                &device(reference, *by)?,
                DEVICE_COLUMNS,
                "device",
            )
            .await
        }
        DevicesCommand::Create(a) => {
            let form = a.fields.form(
                Form::new("WsDevice")
                    .set("label", &a.label)
                    .set("type_id", a.device_type.as_str()),
            );
            let form = form.sets(&a.set.parse()?);
            let v = ocr
                .client()?
                .create(Resource::Devices, form)
                .await
                .with_context(|| format!("creating device {:?}", a.label))?;
            ocr.print_one(DEVICE_COLUMNS, &v)
        }
        DevicesCommand::Update(a) => {
            let r = device(&a.reference, a.by)?;
            let form = Form::new("WsDevice")
                .opt("label", a.label.as_ref())
                .opt("type_id", a.device_type.map(DeviceType::as_str));
            let form = a
                .fields
                .form(form)
                .exclusion(a.exclude.exclusion()?.as_ref())
                .sets(&a.set.parse()?)
                .require_fields("device")?;
            let v = ocr
                .client()?
                .update(Resource::Devices, &r, form)
                .await
                .with_context(|| format!("updating device {}", r.value()))?;
            ocr.print_one(DEVICE_COLUMNS, &v)
        }
        DevicesCommand::Delete { reference, by } => {
            let r = device(reference, *by)?;
            let v = ocr
                .client()?
                .delete(Resource::Devices, &r)
                .await
                .with_context(|| format!("deleting device {}", r.value()))?;
            ocr.deleted(&v, &format!("device {}", r.value()))
        }
        DevicesCommand::Performances {
            device_id,
            device_label,
            from,
            to,
        } => {
            let id = device_id
                .as_deref()
                .map(|i| check_id(i, "device"))
                .transpose()?;
            let from = from
                .as_deref()
                .map(|d| parse_date("--from", d))
                .transpose()?;
            let to = to.as_deref().map(|d| parse_date("--to", d)).transpose()?;
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    return Err(crate::Error::usage(format!("--from {f} is after --to {t}")));
                }
            }
            let query = ListQuery::default()
                .payload("device_id", id)
                .payload("device_label", device_label.as_deref())
                .payload("observation_start", from)
                .payload("observation_end", to);
            ocr.list(
                Resource::Performances,
                query,
                PERFORMANCE_COLUMNS,
                "listing performance data",
            )
            .await
        }
        DevicesCommand::Softwares(c) => softwares(c, ocr).await,
    }
}

async fn softwares(cmd: &DeviceSoftwaresCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        DeviceSoftwaresCommand::List { reference, by } => {
            let r = device(reference, *by)?;
            let paging = ocr.paging(DEFAULT_PAGE_SIZE)?;
            let items = ocr.client()?.owned_softwares(Resource::Devices, &r, paging);
            ocr.print_list(
                INSTALLED_SOFTWARE_COLUMNS,
                items,
                &format!("listing the software of device {}", r.value()),
            )
            .await
        }
        DeviceSoftwaresCommand::Create {
            reference,
            by,
            label,
            status,
            set,
        } => {
            let r = device(reference, *by)?;
            let form = Form::new("WsInstalledSoftware")
                .set("label", label)
                .opt("status", status.as_ref())
                .sets(&set.parse()?);
            let v = ocr
                .client()?
                .create_owned_software(Resource::Devices, &r, form)
                .await
                .with_context(|| format!("adding software to device {}", r.value()))?;
            ocr.print_one(INSTALLED_SOFTWARE_COLUMNS, &v)
        }
        DeviceSoftwaresCommand::Update(a) => {
            let r = device(&a.reference, a.by)?;
            let sid = check_id(&a.sid, "software")?;
            let form = a.fields.form()?;
            let v = ocr
                .client()?
                .update_owned_software(Resource::Devices, &r, &sid, form)
                .await
                .with_context(|| format!("updating software {sid} of device {}", r.value()))?;
            ocr.print_one(INSTALLED_SOFTWARE_COLUMNS, &v)
        }
        DeviceSoftwaresCommand::Delete { reference, sid, by } => {
            let r = device(reference, *by)?;
            let sid = check_id(sid, "software")?;
            let v = ocr
                .client()?
                .delete_owned_software(Resource::Devices, &r, &sid)
                .await
                .with_context(|| format!("deleting software {sid} of device {}", r.value()))?;
            ocr.deleted(&v, &format!("software {sid} of device {}", r.value()))
        }
    }
}
