"""Who runs an administrator's command: the operating system's account.

Operations that need Temporal or the database directly (schedules, setup, migrations) are the
administrators', run on the service's own machine; they record the local account that runs
them, which a partnership's access data names as `local:NAME` among its `administrators`.
"""

import contextlib
import grp
import os
import pwd

from domain.provenance import Person


def local_person() -> Person:
    """The operating system's account running this process (issuer `local`), named as the
    partnerships' access data names local accounts (`local:NAME`)."""
    account = pwd.getpwuid(os.geteuid())
    groups = []
    for gid in os.getgroups():
        with contextlib.suppress(KeyError):
            groups.append(grp.getgrgid(gid).gr_name)
    return Person(
        issuer="local",
        subject=account.pw_name,
        name=account.pw_gecos.split(",")[0] or account.pw_name,
        groups=tuple(groups),
    )
