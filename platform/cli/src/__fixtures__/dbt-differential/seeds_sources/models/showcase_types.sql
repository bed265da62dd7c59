select
    typeof(id) as id_type, typeof(price) as price_type, typeof(ratio) as ratio_type, typeof(on_date) as date_type,
    typeof(at_time) as time_type, typeof(at_iso) as iso_type, typeof(flag) as flag_type, typeof(label) as label_type,
    typeof(nothing) as nothing_type, typeof(mixed_stamp) as mixed_type,
    (select count(*) from {{ ref('empty_lookup') }}) as empty_rows,
    (select max(to_eur) from {{ source('files', 'rates') }}) as top_rate
from {{ ref('type_showcase') }}
limit 1
