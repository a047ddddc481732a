# The lake bucket for a cloud deployment: versioned, encrypted, private, with a read-only policy
# for the ingest role. Credentials come from the environment (never from this repository).
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

resource "aws_s3_bucket" "lake" {
  bucket = var.lake_bucket
  tags   = var.tags
}

resource "aws_s3_bucket_versioning" "lake" {
  bucket = aws_s3_bucket.lake.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "lake" {
  bucket                  = aws_s3_bucket.lake.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "lake_read" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.lake.arn]
  }
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.lake.arn}/*"]
  }
  statement {
    # the loader copies bad files to <lake>/quarantine/
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.lake.arn}/${var.lake_prefix}/quarantine/*"]
  }
}

resource "aws_iam_policy" "lake_ingest" {
  name   = "${var.lake_bucket}-ingest"
  policy = data.aws_iam_policy_document.lake_read.json
}
