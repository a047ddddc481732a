variable "region" {
  type    = string
  default = "us-east-1"
}

variable "lake_bucket" {
  type        = string
  description = "Name of the lake bucket (globally unique)."
}

variable "lake_prefix" {
  type        = string
  default     = "lake"
  description = "Prefix of the lake inside the bucket: BLOCKTRUST_LAKE_URL=s3://<conn>@<bucket>/<prefix>."
}

variable "tags" {
  type    = map(string)
  default = { project = "blocktrust" }
}
