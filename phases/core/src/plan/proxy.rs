use serde::Serialize;

use super::PlanError;
use crate::names::HostName;

/// One `--proxy PROXY_HOST:TARGET_HOST`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxySpec {
    pub via: HostName,
    pub target: HostName,
}

impl ProxySpec {
    pub fn parse(spec: &str) -> Result<Self, PlanError> {
        let Some((via, target)) = spec.split_once(':') else {
            return Err(PlanError::ProxyFormat(spec.to_owned()));
        };
        if target.contains(':') {
            return Err(PlanError::ProxyFormat(spec.to_owned()));
        }
        let name_error = |reason| PlanError::ProxyName {
            spec: spec.to_owned(),
            reason,
        };
        let via = HostName::parse(via).map_err(name_error)?;
        let target = HostName::parse(target).map_err(name_error)?;
        if via == target {
            return Err(PlanError::ProxySelf(spec.to_owned()));
        }
        Ok(Self { via, target })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_tools_wording_for_a_hyphen() {
        let error = ProxySpec::parse("hwstudio1-hwstudio2").expect_err("no colon");
        assert_eq!(
            error.to_string(),
            "Invalid --proxy format: 'hwstudio1-hwstudio2'  (expected proxy_host:target_host)"
        );
    }

    #[test]
    fn parses_proxy() {
        let proxy = ProxySpec::parse("hwstudio1:hwstudio2").expect("valid");
        assert_eq!(proxy.via.as_str(), "hwstudio1");
        assert_eq!(proxy.target.as_str(), "hwstudio2");
    }

    #[test]
    fn refuses_self_proxy() {
        assert_eq!(
            ProxySpec::parse("a:a"),
            Err(PlanError::ProxySelf("a:a".into()))
        );
    }
}
