output "lake_url" {
  description = "Value for BLOCKTRUST_LAKE_URL (with the Airflow connection id blocktrust_lake)."
  value       = "s3://blocktrust_lake@${aws_s3_bucket.lake.id}/${var.lake_prefix}"
}

output "ingest_policy_arn" {
  value = aws_iam_policy.lake_ingest.arn
}
