"""Render styled images through a paid image API, with the home-made disk cache in front.

The cached part is keyed on exactly what shapes the image; the per-job work happens in
the public function, outside the cache.
"""
import hashlib
import os
import uuid
from pathlib import Path

from .caching import disk_cache


class ImageAPIClient:
    """Thin client of the (paid, per-call billed) rendering API."""

    def __init__(self, api_key: str):
        self.api_key = api_key

    def stylize(self, image: bytes, mode: str, style: str, colors: int, caption: str) -> bytes:
        raise NotImplementedError("talks to the network in production")


client = ImageAPIClient(api_key=os.environ.get("IMAGE_API_KEY", ""))


@disk_cache
def _stylized(mode: str, name: str, style: str, colors: int, source_hash: str, _source_bytes: bytes) -> bytes:
    """One API call per distinct (mode, name, style, colors, source_hash), shared across jobs.

    The source bytes are passed through but left out of the key; source_hash stands for them.
    """
    return client.stylize(_source_bytes, mode=mode, style=style, colors=colors, caption=name)


def render_image(job_id: str, mode: str, name: str, style: str, colors: int, source_bytes: bytes) -> Path:
    """Render ``source_bytes`` in the given style into the job's folder; return the file."""
    source_hash = hashlib.sha256(source_bytes).hexdigest()
    image = _stylized(mode, name, style, colors, source_hash, source_bytes)
    out_dir = Path("jobs") / job_id
    out_dir.mkdir(parents=True, exist_ok=True)
    out_file = out_dir / f"{name}.png"
    out_file.write_bytes(image)
    return out_file


def handle_request(payload: dict) -> Path:
    """Entry point of the web handler: every request is a new job."""
    return render_image(str(uuid.uuid4()), payload["mode"], payload["name"], payload["style"],
                        payload["colors"], payload["image"])
