# The media bucket: uploads of audio and images (words/), their thumbnails, import
# documents (imports/) and seed documents (seed/). Private; the app hands out
# presigned URLs.
#
# Encryption: SSE-KMS with the stack's customer managed key (kms.tf) rather than
# SSE-S3, so that every read of a learner's or teacher's upload is authorised by a key
# policy and logged in CloudTrail, and access can be cut by disabling one key. The
# S3 Bucket Key keeps the KMS requests, and their cost, low.
resource "aws_s3_bucket" "media" {
  #checkov:skip=CKV_AWS_18: server access logs would need a second bucket; object-level access is better audited with CloudTrail S3 data events and KMS key use, configured account-wide.
  #checkov:skip=CKV_AWS_144: one-region deployment (its DynamoDB tables are not replicated either); versioning keeps replaced and deleted media recoverable, and cross-region replication would double the storage cost.
  bucket = local.media_bucket
  tags   = local.tags
}

resource "aws_s3_bucket_ownership_controls" "media" {
  bucket = aws_s3_bucket.media.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "media" {
  bucket                  = aws_s3_bucket.media.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "media" {
  bucket = aws_s3_bucket.media.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "media" {
  bucket = aws_s3_bucket.media.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "media" {
  bucket = aws_s3_bucket.media.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    expiration {
      expired_object_delete_marker = true
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-imports"
    status = "Enabled"
    filter {
      prefix = "imports/"
    }

    expiration {
      days = var.imports_expiration_days
    }
  }

  # An export's file (and any part a run left) under exports/<job id>/: its link lasts
  # minutes, and a teacher who needs it again exports again.
  rule {
    id     = "expire-exports"
    status = "Enabled"
    filter {
      prefix = "exports/"
    }

    expiration {
      days = var.exports_expiration_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.media]
}

resource "aws_s3_bucket_cors_configuration" "media" {
  count  = length(var.cors_allowed_origins) > 0 ? 1 : 0
  bucket = aws_s3_bucket.media.id

  cors_rule {
    allowed_methods = ["GET", "HEAD"]
    allowed_origins = var.cors_allowed_origins
    allowed_headers = ["*"]
    expose_headers  = ["ETag", "Content-Length", "Content-Range", "Accept-Ranges"]
    max_age_seconds = 3600
  }
}

data "aws_iam_policy_document" "media_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.media.arn,
      "${aws_s3_bucket.media.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "media" {
  bucket = aws_s3_bucket.media.id
  policy = data.aws_iam_policy_document.media_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.media]
}

# New uploads under words/ go to the media Lambda (durations, sizes, thumbnails). The
# thumbnails it writes back under words/ notify it too, and are ignored at once.
resource "aws_s3_bucket_notification" "media" {
  bucket = aws_s3_bucket.media.id

  lambda_function {
    id                  = "process-media"
    lambda_function_arn = aws_lambda_function.process_media.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "words/"
  }

  depends_on = [aws_lambda_permission.media_from_s3]
}
