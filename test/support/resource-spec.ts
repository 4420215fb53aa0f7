export * from '../../local/emulator/services/cloudformation/resource-spec';
