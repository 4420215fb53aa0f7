/** Test environment: no real AWS. Region and dummy credentials so SDK clients build; no Node-version nag. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTESTONLY';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret-not-real';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
