terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.81" # user_pool_tier (Cognito feature plans)
    }
  }
}

provider "aws" {
  region = var.region
}
