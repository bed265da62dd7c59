select
    user_id,
    {{ clean_text('user_name', case='none') }} as user_name,
    {{ clean_text('country', 'upper') }} as country_code
from {{ ref('raw_users') }}
