"""The archive: writing it, reading and checking it, and restoring from it."""

import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from . import postgresql, sqlite
from .common import BackupError

FORMAT = "kaytantopankki-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# The module that dumps and restores each database vendor.
DATABASES = {"postgresql": postgresql, "sqlite": sqlite}
# Folders a restore works in inside MEDIA_ROOT (on the same file system, so that swapping the
# files in is a rename); a backup never includes them.
WORK_DIR_PREFIX = ".restore-"

# An upload still being written (config.storage.AtomicFileSystemStorage).
PARTIAL_UPLOAD_PREFIX = ".partial-"
_CHUNK = 1024 * 1024


def code_migrations():
    """(every migration this code has, counting the ones a squashed migration replaces;
    the migrations a fully migrated database has applied)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    return known, set(loader.graph.nodes)


def newer_migrations(manifest):
    """The migrations the archive's database has applied that this code does not have."""
    known, _nodes = code_migrations()
    return sorted(
        f"{app_label}.{name}"
        for app_label, names in manifest["migrations"].items()
        for name in names
        if (app_label, name) not in known
    )


def missing_migrations(manifest):
    """The migrations of this code that the archive's database has not applied."""
    _known, nodes = code_migrations()
    applied = {
        (app_label, name) for app_label, names in manifest["migrations"].items() for name in names
    }
    return sorted(f"{app_label}.{name}" for app_label, name in nodes - applied)


def describe_database(connection):
    """The database as an operator knows it: its file, or its name, host and port."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings_dict["NAME"])
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT")
    return f"{settings_dict['NAME']} ({host}{f':{port}' if port else ''})"


def media_storage():
    """The file-system storage of the uploads, or None when they are kept elsewhere."""
    storage = storages["default"]
    return storage if isinstance(storage, FileSystemStorage) else None


def _software():
    versions = {"django": django.get_version()}
    try:
        versions["kaytantopankki"] = metadata.version("kaytantopankki")
    except metadata.PackageNotFoundError:
        versions["kaytantopankki"] = None
    return versions


class _HashingReader:
    """A file object that computes the SHA-256 of what is read through it."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar, path, arcname):
    """Add one file to the archive; its manifest entry (path, size, sha256)."""
    with open(path, "rb") as file:
        info = tar.gettarinfo(arcname=arcname, fileobj=file)
        info.mode = 0o644
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(file)
        tar.addfile(info, reader)
    return {"path": arcname, "size": info.size, "sha256": reader.sha256.hexdigest()}


def _media_files(root):
    """(relative posix path, absolute path) of every regular file under root, sorted; the
    restore's own work folders and uploads still being written are left out."""
    found = []
    for directory, folders, files in os.walk(root):
        if Path(directory) == root:
            folders[:] = [name for name in folders if not name.startswith(WORK_DIR_PREFIX)]
        folders.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if name.startswith(PARTIAL_UPLOAD_PREFIX) or path.is_symlink() or not path.is_file():
                continue
            found.append((path.relative_to(root).as_posix(), path))
    return found


@dataclass
class BackupResult:
    path: Path
    size: int
    counts: dict
    media_files: int
    media_included: bool


def default_archive_name(now=None):
    now = timezone.localtime(now)
    return f"kaytantopankki-{now:%Y%m%d-%H%M%S}.tar"


def create_backup(destination, *, using=DEFAULT_DB_ALIAS):
    """Write an archive of the database and the uploaded files to destination (a path of a
    file that does not exist yet). The archive appears only when it is complete."""
    destination = Path(destination)
    if destination.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": destination})
    destination.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor}
        )
    storage = media_storage()
    partial = destination.with_name(f".{destination.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=destination.parent) as work:
        dump_path = Path(work) / DUMP_NAMES[vendor]
        counts, migrations, database_details = DATABASES[vendor].dump(connection, dump_path)
        # The archive may hold personal data (contacts, users): readable by its owner only.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as file:
                with tarfile.open(fileobj=file, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    entries = [_add_file(tar, dump_path, DUMP_NAMES[vendor])]
                    # After the dump, so that every file a dumped row names is there.
                    media = _media_files(Path(storage.location)) if storage else []
                    for relative, path in media:
                        entries.append(_add_file(tar, path, MEDIA_PREFIX + relative))
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created": timezone.now().isoformat(),
                        "database": {
                            "vendor": vendor,
                            "file": DUMP_NAMES[vendor],
                            **database_details,
                        },
                        "software": _software(),
                        # The latest applied migration of each app, and all of them.
                        "latest_migrations": {
                            app_label: names[-1] for app_label, names in migrations.items()
                        },
                        "migrations": migrations,
                        "counts": counts,
                        "media": {
                            "included": storage is not None,
                            "storage": settings.STORAGES["default"]["BACKEND"],
                        },
                        "files": entries,
                    }
                    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                    info = tarfile.TarInfo(MANIFEST_NAME)
                    info.size = len(data)
                    info.mode = 0o644
                    info.mtime = int(timezone.now().timestamp())
                    tar.addfile(info, io.BytesIO(data))
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, destination)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(
        path=destination,
        size=destination.stat().st_size,
        counts=counts,
        media_files=len(media),
        media_included=storage is not None,
    )


def _damaged(path, reason):
    return BackupError(
        _(
            "The archive %(path)s is damaged or is not a backup of this site (%(reason)s). "
            "Nothing was changed."
        )
        % {"path": path, "reason": reason}
    )


def read_manifest(path):
    """The manifest of the archive at path, checked for its format."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": path})
    try:
        with tarfile.open(path, mode="r:*") as tar:
            member = tar.getmember(MANIFEST_NAME)
            manifest = json.load(tar.extractfile(member))
    except KeyError:
        raise _damaged(path, _("it has no manifest")) from None
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise _damaged(path, str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, _("its manifest is not a backup manifest"))
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            _(
                "The archive %(path)s is of a newer backup format (%(version)s) than this "
                "version of the site reads (%(supported)s): restore it with the version that "
                "made it. Nothing was changed."
            )
            % {"path": path, "version": version, "supported": FORMAT_VERSION}
        )
    try:
        complete = (
            all(
                isinstance(entry["path"], str)
                and isinstance(entry["size"], int)
                and isinstance(entry["sha256"], str)
                for entry in manifest["files"]
            )
            and isinstance(manifest["migrations"], dict)
            and all(isinstance(names, list) for names in manifest["migrations"].values())
            and isinstance(manifest["database"]["vendor"], str)
            and isinstance(manifest["database"]["file"], str)
            and isinstance(manifest["media"]["included"], bool)
        )
    except (KeyError, TypeError):
        complete = False
    if not complete:
        raise _damaged(path, _("its manifest is incomplete"))
    return manifest


def _safe_media_path(name):
    """The relative path of a media member, or None if it could escape MEDIA_ROOT."""
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if (
        not relative.parts
        or relative.is_absolute()
        or any(part in ("", ".", "..") for part in relative.parts)
        or relative.parts[0].startswith(WORK_DIR_PREFIX)
        or "\x00" in name
    ):
        return None
    return relative


@dataclass
class UnpackedArchive:
    manifest: dict
    dump: Path  # the unpacked database dump


def unpack(path, manifest, *, dump_dir, media_dir):
    """Unpack the archive: the database dump into dump_dir and the uploads into media_dir,
    each file checked against its size and checksum in the manifest. Raises BackupError if
    anything does not match (the caller removes what was unpacked)."""
    expected = {entry["path"]: entry for entry in manifest["files"]}
    seen = set()
    dump_name = manifest["database"]["file"]
    if dump_name not in expected:
        raise _damaged(path, _("the manifest lists no database"))
    try:
        with tarfile.open(path, mode="r:*") as tar:
            for member in tar:
                name = member.name
                if name == MANIFEST_NAME:
                    continue
                if name in seen:
                    raise _damaged(path, _("%(name)s appears twice") % {"name": name})
                entry = expected.get(name)
                if entry is None or not member.isreg():
                    raise _damaged(
                        path, _("%(name)s is not listed in the manifest") % {"name": name}
                    )
                if name == dump_name:
                    target = dump_dir / Path(dump_name).name
                else:
                    relative = _safe_media_path(name) if name.startswith(MEDIA_PREFIX) else None
                    if relative is None or media_dir is None:
                        raise _damaged(
                            path, _("%(name)s is not a file it may hold") % {"name": name}
                        )
                    target = media_dir.joinpath(*relative.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                size, digest = _extract(tar, member, target)
                if size != entry["size"] or digest != entry["sha256"]:
                    raise _damaged(path, _("%(name)s does not match its checksum") % {"name": name})
                seen.add(name)
    except (tarfile.TarError, EOFError) as exc:
        raise _damaged(path, str(exc)) from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise _damaged(path, _("%(name)s is missing") % {"name": missing[0]})
    return UnpackedArchive(manifest=manifest, dump=dump_dir / Path(dump_name).name)


def _extract(tar, member, target):
    sha256 = hashlib.sha256()
    size = 0
    source = tar.extractfile(member)
    with open(target, "wb") as out:
        while chunk := source.read(_CHUNK):
            sha256.update(chunk)
            size += len(chunk)
            out.write(chunk)
    os.chmod(target, 0o644)
    os.utime(target, (member.mtime, member.mtime))
    return size, sha256.hexdigest()


class MediaSwap:
    """Puts the unpacked uploads in place of MEDIA_ROOT's contents by renaming, keeping the
    old ones aside until `commit()`; `rollback()` puts them back."""

    def __init__(self, root, new_dir):
        self.root = root
        self.new_dir = new_dir
        self.old_dir = root / f"{WORK_DIR_PREFIX}old-{secrets.token_hex(8)}"
        self.moved_in = []

    def swap(self):
        self.old_dir.mkdir(mode=0o700)
        try:
            for entry in sorted(self.root.iterdir()):
                if not entry.name.startswith(WORK_DIR_PREFIX):
                    entry.rename(self.old_dir / entry.name)
            for entry in sorted(self.new_dir.iterdir()):
                entry.rename(self.root / entry.name)
                self.moved_in.append(entry.name)
        except OSError:
            self.rollback()
            raise

    def rollback(self):
        for name in self.moved_in:
            (self.root / name).rename(self.new_dir / name)
        self.moved_in = []
        if self.old_dir.exists():
            for entry in self.old_dir.iterdir():
                entry.rename(self.root / entry.name)
            self.old_dir.rmdir()

    def commit(self):
        shutil.rmtree(self.old_dir, ignore_errors=True)


def check_restorable(path, manifest, *, using=DEFAULT_DB_ALIAS):
    """Refuse an archive this site cannot take, before anything is unpacked."""
    vendor = connections[using].vendor
    archive_vendor = manifest["database"]["vendor"]
    if archive_vendor != vendor:
        raise BackupError(
            _(
                "The archive holds a %(archive)s database, but this site uses %(vendor)s. "
                "Nothing was changed."
            )
            % {"archive": archive_vendor, "vendor": vendor}
        )
    newer = newer_migrations(manifest)
    if newer:
        raise BackupError(
            _(
                "The archive's database has migrations that this version of the site does not "
                "have (%(migrations)s): it was made by a newer version. Install that version "
                "first. Nothing was changed."
            )
            % {"migrations": ", ".join(newer)}
        )
    if manifest["media"]["included"] and media_storage() is None:
        raise BackupError(
            _(
                "The archive holds uploaded files, but this site keeps them in %(storage)s, "
                "not in a folder: copy them there with the storage's own tools. Nothing was "
                "changed."
            )
            % {"storage": settings.STORAGES["default"]["BACKEND"]}
        )


def restore_backup(path, manifest, *, using=DEFAULT_DB_ALIAS, progress=None):
    """Replace the database and the uploaded files with the archive's, after checking every
    file of it (call read_manifest() and check_restorable() first). What comes after — the
    migrations of a newer code, telling the processes — is the caller's."""
    report = progress or (lambda message: None)
    connection = connections[using]
    storage = media_storage()
    media_root = Path(storage.location) if storage else None
    with tempfile.TemporaryDirectory(prefix="kaytantopankki-restore-") as work:
        work_dir = Path(work)
        new_media = None
        if manifest["media"]["included"]:
            media_root.mkdir(parents=True, exist_ok=True)
            new_media = media_root / f"{WORK_DIR_PREFIX}new-{secrets.token_hex(8)}"
            new_media.mkdir(mode=0o700)
        try:
            report(_("Checking the archive…"))
            unpacked = unpack(path, manifest, dump_dir=work_dir, media_dir=new_media)
            swap = None
            if new_media is not None:
                report(_("Replacing the uploaded files…"))
                swap = MediaSwap(media_root, new_media)
                swap.swap()
            try:
                report(_("Replacing the database…"))
                DATABASES[connection.vendor].restore(connection, unpacked, work_dir)
            except BaseException:
                if swap is not None:
                    swap.rollback()
                raise
            if swap is not None:
                swap.commit()
        finally:
            if new_media is not None:
                shutil.rmtree(new_media, ignore_errors=True)
    return unpacked
