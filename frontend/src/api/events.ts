// Event names emitted by the Go side. They mirror the constants in app/events.go;
// change both together.

export const EventVaultLocked = 'vault:locked';
export const EventVaultUnlocked = 'vault:unlocked';
export const EventIntegrityError = 'integrity:error';
export const EventRekeyProgress = 'rekey:progress';
export const EventRekeyDone = 'rekey:done';
export const EventExportProgress = 'export:progress';
export const EventExportDone = 'export:done';
export const EventSyncProgress = 'sync:progress';
export const EventSyncStatus = 'sync:status';
