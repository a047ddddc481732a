insert into marts.dim_tags (address, label, category) values ('1BoatSLRHtKNngkdXEeobR76b53LETtpyT', 'x', 'y')
