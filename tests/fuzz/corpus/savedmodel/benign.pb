‹

serve"serve*2.13.0¤
 
serving_default_xPlaceholder
2
StatefulPartitionedCallStatefulPartitionedCall

saver_filenamePlaceholder
4
StatefulPartitionedCall_1StatefulPartitionedCall
4
StatefulPartitionedCall_2StatefulPartitionedCall


save/ConstConst

save/SaveV2SaveV2

save/RestoreV2	RestoreV2

save/restore_allNoOpØ
¾

__inference__traced_save_1234
saver_filenamePlaceholder,
StaticRegexFullMatchStaticRegexFullMatch
ConstConst

StringJoin
StringJoin"
ShardedFilenameShardedFilename
SaveV2SaveV2.
&MergeV2Checkpoints/checkpoint_prefixesPack(
MergeV2CheckpointsMergeV2Checkpoints
IdentityIdentity
z
"
 __inference__traced_restore_5678
	RestoreV2	RestoreV2$
AssignVariableOpAssignVariableOp

Identity_1Identity
˜
!
__inference_serving_default_999-
dense/MatMul/ReadVariableOpReadVariableOp
dense/MatMulMatMul
dense/BiasAddBiasAdd

dense/ReluRelu"¿J
saver_filename:0StatefulPartitionedCall_1:0StatefulPartitionedCall_2