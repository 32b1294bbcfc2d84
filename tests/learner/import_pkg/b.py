B = 'b-value'
