from django.apps import AppConfig
from django.conf import settings


class VocabularyConfig(AppConfig):
    name = "vocabulary"
    verbose_name = "Vocabulary"

    def ready(self):
        from PIL import Image

        # Pillow's own guard against decompression bombs, at our limit: Image.open warns
        # past it and refuses past twice that. vocabulary.media refuses past it from the
        # header itself; this is the second line behind that check. Process-wide, so set here.
        Image.MAX_IMAGE_PIXELS = settings.MEDIA_MAX_IMAGE_PIXELS

        from vocabulary import jobs  # noqa: F401 (registers the vocabulary's kinds of job)
