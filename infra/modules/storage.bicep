// The storage account behind CloneFlow: the Functions host (AzureWebJobsStorage), the Durable Task
// hub (queues, tables, lease and large-message blobs), Flex Consumption deployment packages and the
// run artifacts (update-set exports, plans, reports). Only Entra ID auth is accepted.

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the storage account.')
param location string = resourceGroup().location

@description('Tags applied to the storage account.')
param tags { *: string } = {}

@description('Replication of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string = 'Standard_LRS'

@description('Container that receives the Flex Consumption deployment packages.')
param deploymentContainerName string

@description('Container for run artifacts: update-set exports, plans, checksums and reports.')
param artifactsContainerName string

@description('Durable Task hub name; its lease and large-message containers are named after it.')
param taskHubName string

@description('Days deleted blobs and containers stay recoverable (soft delete).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int = 14

@description('Time-based immutability (WORM) for the artifacts container, in days since each blob was created. 0 turns it off.')
@minValue(0)
@maxValue(146000)
param artifactsImmutabilityDays int = 0

// Blob versioning is on for the whole account so that an overwritten export is never lost. The
// runtime's own containers rewrite blobs constantly; their old versions are expired by the
// lifecycle rule below so they do not pile up. Run artifacts keep every version.
var runtimeVersionRetentionDays = 7
var runtimeContainerPrefixes = [
  '${deploymentContainerName}/'
  'azure-webjobs-hosts/'
  'azure-webjobs-secrets/'
  '${toLower(taskHubName)}-leases/'
  '${toLower(taskHubName)}-applease/'
  '${toLower(taskHubName)}-largemessages/'
]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    // Flex Consumption apps without VNet integration reach storage over its public endpoint; auth is Entra ID only.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource artifactsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: artifactsContainerName
  properties: {
    publicAccess: 'None'
  }
}

// An unlocked policy: it can be extended or locked later by an administrator, never by the app.
resource artifactsImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = if (artifactsImmutabilityDays > 0) {
  parent: artifactsContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: artifactsImmutabilityDays
    allowProtectedAppendWrites: false
  }
}

// The Durable Azure Storage provider keeps its control and work-item queues and its instance and
// history tables here.
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-runtime-blob-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: runtimeContainerPrefixes
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: runtimeVersionRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  // Version actions are accepted only once versioning is on.
  dependsOn: [
    blobService
  ]
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
