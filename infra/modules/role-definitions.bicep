// Built-in Azure role definition ids used by CloneFlow. The ids are the same in every tenant.
// Imported at compile time by access.bicep; deploys nothing itself.

@export()
@description('Built-in role definition ids, by role name.')
var roleDefinitionIds = {
  // Storage Blob Data Owner: read, write and delete blobs and containers (runs, deployments, task hub blobs).
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Storage Queue Data Contributor: the Durable Azure Storage provider's control and work-item queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Storage Table Data Contributor: the Durable Azure Storage provider's instance and history tables.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Key Vault Secrets User: read secret values (ServiceNow credentials, approval key, Teams webhook).
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // Key Vault Secrets Officer: create, update and delete secrets (the deploying user).
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // Monitoring Metrics Publisher: send telemetry to Application Insights with Entra ID auth.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
