select
  {{ relation_exists(ref('raw_payments')) }} as payments_exist,
  {{ relation_exists(api.Relation.create(database=target.database, schema=target.schema, identifier='no_such_table')) }} as missing_exists,
  {{ load_relation(ref('raw_payments')).is_table if execute else false }} as payments_is_table
