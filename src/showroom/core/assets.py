"""Front-end packages that PyPI does not carry, fetched once at set-up time, never at run time.

htmx comes with django-htmx. Apache ECharts is on no maintained PyPI package, so its release
tarball is taken from the npm registry, checked against the integrity hash pinned here, and
only the one file the pages need is kept in the assets folder served as /static/vendor/.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir


@dataclass(frozen=True)
class NpmAsset:
    package: str
    version: str
    integrity: str  # sha512, as the registry publishes it
    member: str  # path inside the tarball
    target: str  # file name under the assets folder

    @property
    def url(self) -> str:
        return f"https://registry.npmjs.org/{self.package}/-/{self.package}-{self.version}.tgz"


ASSETS = [
    NpmAsset(
        package="echarts",
        version="5.6.0",
        integrity="sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA==",
        member="package/dist/echarts.min.js",
        target="echarts.min.js",
    ),
]

ASSETS_DIR = Path(
    os.environ.get("SHOWROOM_ASSETS_DIR")
    or Path(user_cache_dir("showroom", appauthor=False)) / "assets"
)


def ensure_assets(*, verbose: bool = False) -> list[Path]:
    """Fetch whatever asset is missing; returns the paths of all assets."""
    ASSETS_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for asset in ASSETS:
        path = ASSETS_DIR / asset.target
        stamp = ASSETS_DIR / f"{asset.target}.version"
        if not (path.exists() and stamp.exists() and stamp.read_text() == asset.version):
            if verbose:
                print(f"fetching {asset.package} {asset.version} …", flush=True)
            with urllib.request.urlopen(asset.url, timeout=120) as response:
                data = response.read()
            digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
            if digest != asset.integrity:
                raise RuntimeError(f"{asset.package} {asset.version}: integrity mismatch")
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                member = tar.extractfile(asset.member)
                if member is None:
                    raise RuntimeError(f"{asset.member} missing from {asset.package}")
                path.write_bytes(member.read())
            stamp.write_text(asset.version)
        paths.append(path)
    return paths
