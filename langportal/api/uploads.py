"""Refuse uploads over a size limit while they stream in, never holding them whole."""

from django.core.files.uploadhandler import FileUploadHandler

from langportal.errors import PayloadTooLarge

FORM_OVERHEAD = 64 * 1024  # room for multipart boundaries and small fields


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Files may be at most {limit} bytes.", details={"max_bytes": limit})


def check_content_length(meta: dict, limit: int, *, files: int = 1) -> None:
    """Refuse at once a body that announces itself as too large for `files` files of `limit` bytes."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > files * limit + FORM_OVERHEAD:
        raise too_large(limit)


class SizeLimitUploadHandler(FileUploadHandler):
    """First of the upload handlers: counts each file's bytes as they arrive."""

    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            raise too_large(self.limit)
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler (memory or temporary file) makes the file
