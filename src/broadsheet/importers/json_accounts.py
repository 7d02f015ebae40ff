"""The accounts of a Broadsheet JSON export: people, their roles, profiles, addresses and the
social accounts they sign in with; never a password (the file has none)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage

from broadsheet.accounts.models import Profile, User
from broadsheet.importers.json_export import ACCOUNT_FIELDS, PROFILE_FIELDS
from broadsheet.importers.json_records import IdMap, field_values, object_of
from broadsheet.importers.progress import ImportProblem, ImportReport
from broadsheet.importers.writing import checked_address


def account_restore(
    *, ids: IdMap, report: ImportReport, keep_id: bool, index: int, row: dict[str, Any]
) -> None:
    """One account: already imported, matched by username, or created without a password."""
    where = f"accounts[{index}]"
    values = field_values(User, ACCOUNT_FIELDS, row, where)
    source_id = values.pop("id")
    if source_id in ids.load("account"):
        report.add("accounts", new=False)
        return
    user = User.objects.filter(username=values["username"]).first()
    if user is not None:
        report.warn(
            where,
            f"an account named {values['username']!r} was already here: it was kept as it "
            "is, and the file's posts and comments by that name are now by it",
        )
        report.add("accounts", new=False)
    else:
        user = User(**values, **({"pk": source_id} if keep_id else {}))
        # Each person sets a new password ("Forgot your password?") or signs in another way.
        user.set_unusable_password()
        user.save(force_insert=True)
        _details(user, row, values, where, report)
        report.add("accounts")
    ids.remember("account", [(source_id, user.pk)])


def _details(
    user: User, row: dict[str, Any], values: dict[str, Any], where: str, report: ImportReport
) -> None:
    roles = row.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ImportProblem(f'{where}: "roles" must be a list of role names.')
    groups = list(Group.objects.filter(name__in=roles))
    for missing in sorted(set(roles) - {g.name for g in groups}):
        report.warn(where, f"the role {missing!r} does not exist here; left out")
    user.groups.set(groups)
    # Adding roles sets is_staff from them; the file says what it was.
    User.objects.filter(pk=user.pk).update(is_staff=values["is_staff"])
    if row.get("profile") is not None:
        here = f"{where}.profile"
        profile, _ = Profile.objects.get_or_create(user=user)
        for name, value in field_values(
            Profile, PROFILE_FIELDS, object_of(row["profile"], here), here
        ).items():
            if name in ("website", "remote_avatar_url"):
                value = checked_address(
                    value,
                    report=report,
                    where=here,
                    what=f'"{name}"',
                    max_length=500 if name == "remote_avatar_url" else 200,
                )
            if name in ("avatar", "header") and value and not default_storage.exists(value):
                report.warn(here, f"the picture {value!r} is not in this site's media; left out")
                value = ""
            setattr(profile, name, value)
        profile.save()
    for number, item in enumerate(_list(row, "email_addresses", where)):
        here = f"{where}.email_addresses[{number}]"
        address = field_values(
            EmailAddress, ["email", "verified", "primary"], object_of(item, here), here
        )
        if EmailAddress.objects.filter(email__iexact=address["email"]).exists():
            report.warn(here, f"{address['email']} belongs to another account here; left out")
        else:
            EmailAddress.objects.create(user=user, **address)
    for number, item in enumerate(_list(row, "social_accounts", where)):
        here = f"{where}.social_accounts[{number}]"
        social = field_values(SocialAccount, ["provider", "uid"], object_of(item, here), here)
        if SocialAccount.objects.filter(**social).exists():
            report.warn(here, "that social account signs in to another account here; left out")
        else:
            SocialAccount.objects.create(user=user, **social)


def _list(row: dict[str, Any], key: str, where: str) -> list[Any]:
    value = row.get(key) or []
    if not isinstance(value, list):
        raise ImportProblem(f'{where}: "{key}" must be a list.')
    return value
