"""The notice delivery activities as configured: the activity never reads settings itself."""

from activities.delivery import (
    AddressBook,
    Channel,
    DeliveryActivities,
    OutboxChannel,
    SmtpChannel,
    SmtpServer,
)
from activities.letters import papers
from concordat.settings import DeliveryChannel, Settings


def channel_from_settings(settings: Settings) -> Channel:
    if settings.delivery_channel is DeliveryChannel.SMTP:
        password = settings.smtp_password
        server = SmtpServer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=password.get_secret_value() if password is not None else "",
        )
        return SmtpChannel(server, settings.notice_sender)
    return OutboxChannel(settings.outbox(), settings.notice_sender)


def delivery_from_settings(settings: Settings) -> DeliveryActivities:
    addresses = AddressBook.from_file(settings.notice_addresses, settings.notice_default_domain)
    return DeliveryActivities(
        channel_from_settings(settings), addresses, papers(settings.partnerships_dir)
    )
