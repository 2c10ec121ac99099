//! Where mail goes: an SMTP server (`OOGST_SMTP_URL`) or `.eml` files in the data folder.

use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// How a delivery attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying: the server is down, busy or answered 4xx.
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help: the server refused the message (5xx).
    #[error("{0}")]
    Permanent(String),
}

impl Transport {
    pub fn from_config(config: &Config) -> Result<Transport, String> {
        if config.smtp_url.is_empty() {
            let folder = config.mail_dir();
            std::fs::create_dir_all(&folder).map_err(|error| format!("mail folder {}: {error}", folder.display()))?;
            return Ok(Transport::Files(AsyncFileTransport::new(folder)));
        }
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map(|builder| Transport::Smtp(builder.timeout(Some(std::time::Duration::from_secs(30))).build()))
            .map_err(|error| format!("OOGST_SMTP_URL: {error}"))
    }

    pub async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(classify),
            Transport::Files(files) => {
                files.send(message).await.map(drop).map_err(|error| DeliveryError::Transient(error.to_string()))
            }
        }
    }
}

fn classify(error: SmtpError) -> DeliveryError {
    if error.is_permanent() {
        DeliveryError::Permanent(error.to_string())
    } else {
        DeliveryError::Transient(error.to_string())
    }
}
