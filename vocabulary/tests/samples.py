"""Small real media files, made on the spot for tests and benchmarks."""

import io
import wave

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"\0\0" * int(rate * seconds))
    return buffer.getvalue()


def mp3(seconds: float = 1.0) -> bytes:
    """Silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz): a valid stream any player takes."""
    frame = bytes([0xFF, 0xFB, 0x90, 0x64]) + b"\0" * 413
    return frame * int(seconds * 44100 / 1152)


def image(format: str = "PNG", size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format)
    return buffer.getvalue()


def ogg_header() -> bytes:
    """The first page of an Ogg Vorbis stream: enough to be recognised, not to be played."""
    return b"OggS\x00\x02" + b"\0" * 20 + b"\x01vorbis" + b"\0" * 40


def m4a_header() -> bytes:
    return b"\0\0\0\x20ftypM4A \0\0\0\0M4A mp42isom" + b"\0" * 40


def upload_file(data: bytes, name: str, content_type: str) -> SimpleUploadedFile:
    """`data` as a browser would post it in a multipart form."""
    return SimpleUploadedFile(name, data, content_type=content_type)
