"""[delivery] settings: mail only over TLS, addresses checked, secrets never in the TOML file
nor inside the repository; credentials from the environment or a netrc file."""

from __future__ import annotations

import pytest
from conftest import write_config
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import REPO_ROOT, ConfigError, load_settings
from pipeline.delivery import DeliveryError
from pipeline.delivery.smtp import credentials
from pipeline.runs import ExitCode

SMTP = """
[delivery.smtp]
host = "smtp.force.example"
from_address = "workforce-analytics@force.example"
"""
EMAIL = """
[delivery.email]
recipients = ["chair@force.example", "member@force.example", "chair@force.example"]
"""


def _load(tmp_path, extra: str):
    return load_settings(write_config(tmp_path, extra))


def test_no_delivery_section_means_no_delivery(tiny_force):
    assert not tiny_force.delivery.configured
    assert tiny_force.report.marking == "OFFICIAL-SENSITIVE"


def test_a_full_delivery_section_loads(tmp_path):
    settings = _load(
        tmp_path,
        SMTP
        + 'credentials_file = "secrets/smtp.netrc"\nca_file = "ca.pem"\n'
        + EMAIL
        + '[delivery.folder]\npath = "share"\n'
        + '[delivery.alerts]\nrecipients = ["ops@force.example"]\n',
    )
    delivery = settings.delivery
    assert delivery.smtp.effective_port == 587  # STARTTLS by default
    assert delivery.smtp.credentials_file == tmp_path / "secrets" / "smtp.netrc"
    assert delivery.smtp.ca_file == tmp_path / "ca.pem"
    assert delivery.folder.path == tmp_path / "share"
    assert delivery.email.recipients == ("chair@force.example", "member@force.example")


def test_implicit_tls_defaults_to_port_465(tmp_path):
    settings = _load(tmp_path, SMTP + 'security = "tls"\n')
    assert settings.delivery.smtp.effective_port == 465


@pytest.mark.parametrize("security", ["none", "plain", "ssl"])
def test_there_is_no_unencrypted_mode(tmp_path, security):
    with pytest.raises(ConfigError, match="security"):
        _load(tmp_path, SMTP + f'security = "{security}"\n')


@pytest.mark.parametrize("key", ["password", "username"])
def test_credentials_in_the_toml_file_are_refused_with_where_to_put_them(tmp_path, key):
    with pytest.raises(ConfigError, match="PROGRESSION_SMTP_PASSWORD"):
        _load(tmp_path, SMTP + f'{key} = "hunter2-is-not-a-password"\n')


def test_a_credentials_file_inside_the_repository_is_refused(tmp_path):
    inside = REPO_ROOT / "var" / "smtp.netrc"
    with pytest.raises(ConfigError, match="inside the repository"):
        _load(tmp_path, SMTP + f'credentials_file = "{inside}"\n')


def test_a_wrong_address_is_named(tmp_path):
    with pytest.raises(ConfigError, match="'chair at force' is not an e-mail address"):
        _load(tmp_path, SMTP + '[delivery.email]\nrecipients = ["chair at force"]\n')


def test_mail_needs_a_server(tmp_path):
    with pytest.raises(ConfigError, match=r"need \[delivery.smtp\]"):
        _load(tmp_path, EMAIL)


def test_no_recipients_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="recipients"):
        _load(tmp_path, SMTP + "[delivery.email]\nrecipients = []\n")


def test_credentials_come_from_the_environment_first(tmp_path, monkeypatch):
    netrc = tmp_path / "smtp.netrc"
    netrc.write_text("machine smtp.force.example login from-file password file-secret\n")
    netrc.chmod(0o600)
    settings = _load(tmp_path, SMTP + f'credentials_file = "{netrc}"\n')
    found = credentials(settings.delivery.smtp)
    assert (found.username, found.password, found.source) == (
        "from-file",
        "file-secret",
        str(netrc),
    )
    assert "file-secret" not in repr(found)
    monkeypatch.setenv("PROGRESSION_SMTP_USERNAME", "from-env")
    monkeypatch.setenv("PROGRESSION_SMTP_PASSWORD", "env-secret")
    found = credentials(settings.delivery.smtp)
    assert (found.username, found.password, found.source) == (
        "from-env",
        "env-secret",
        "the environment",
    )
    monkeypatch.delenv("PROGRESSION_SMTP_PASSWORD")
    with pytest.raises(DeliveryError, match="Set both"):
        credentials(settings.delivery.smtp)


def test_a_credentials_file_without_the_host_says_what_it_needs(tmp_path, monkeypatch):
    monkeypatch.delenv("PROGRESSION_SMTP_USERNAME", raising=False)
    monkeypatch.delenv("PROGRESSION_SMTP_PASSWORD", raising=False)
    netrc = tmp_path / "smtp.netrc"
    netrc.write_text("machine other.example login x password y\n")
    netrc.chmod(0o600)
    settings = _load(tmp_path, SMTP + f'credentials_file = "{netrc}"\n')
    with pytest.raises(DeliveryError, match=r"machine smtp\.force\.example login"):
        credentials(settings.delivery.smtp)
    netrc.unlink()
    with pytest.raises(DeliveryError, match="Cannot read the SMTP credentials file"):
        credentials(settings.delivery.smtp)


def test_no_credentials_means_no_login(tmp_path, monkeypatch):
    monkeypatch.delenv("PROGRESSION_SMTP_USERNAME", raising=False)
    monkeypatch.delenv("PROGRESSION_SMTP_PASSWORD", raising=False)
    assert credentials(_load(tmp_path, SMTP).delivery.smtp) is None


def test_deliver_without_a_delivery_section_says_what_is_missing(tmp_path):
    config = write_config(tmp_path)
    result = CliRunner().invoke(app, ["deliver", "--config", str(config)])
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "no [delivery.email] or [delivery.folder] in the configuration." in result.output
