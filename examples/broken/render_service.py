"""Render styled images through a paid image API, with a disk cache in front of it."""
import functools
import hashlib
import json
import os
import uuid
from pathlib import Path

CACHE_DIR = Path(os.environ.get("RENDER_CACHE_DIR", ".render-cache"))


class ImageAPIClient:
    """Thin client of the (paid, per-call billed) rendering API."""

    def __init__(self, api_key: str):
        self.api_key = api_key

    def stylize(self, image: bytes, mode: str, style: str, colors: int, caption: str) -> bytes:
        raise NotImplementedError("talks to the network in production")


def disk_cache(func):
    """Cache results on disk, keyed on the call's arguments."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        raw_key = json.dumps([func.__name__, args, kwargs], default=str, sort_keys=True)
        path = CACHE_DIR / (hashlib.sha256(raw_key.encode()).hexdigest() + ".json")
        if path.exists():
            return json.loads(path.read_text())
        result = func(*args, **kwargs)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, default=str))
        return result

    return wrapper


client = ImageAPIClient(api_key=os.environ.get("IMAGE_API_KEY", ""))


@disk_cache
def render_image(job_id: str, mode: str, name: str, style: str, colors: int, source_bytes: bytes) -> bytes:
    """Render ``source_bytes`` in the given style.

    The job ID only names the output folder: the job ID is not part of the cache key, so
    renders are shared across jobs.
    """
    out_dir = Path("jobs") / job_id
    out_dir.mkdir(parents=True, exist_ok=True)
    image = client.stylize(source_bytes, mode=mode, style=style, colors=colors, caption=name)
    (out_dir / f"{name}.png").write_bytes(image)
    return image


def handle_request(payload: dict) -> bytes:
    """Entry point of the web handler: every request is a new job."""
    return render_image(
        str(uuid.uuid4()),
        payload["mode"],
        payload["name"],
        payload["style"],
        payload["colors"],
        payload["image"],
    )
