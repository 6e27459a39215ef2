"""The Qt-free core: model, storage, audit trail, operations, importers and exports."""
